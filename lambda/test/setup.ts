// The SDK warns once per client under Node 20 that its releases from 2027 need Node 22;
// the lock file pins today's release, so the warning only buries test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
