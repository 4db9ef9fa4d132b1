"""The three IPAM actions the scanner calls, spoken in the EC2 Query protocol.

Requests arrive as form parameters (Action=GetIpamResourceCidrs&Filter.1.Name=…);
answers are the XML documents the real EC2 endpoint returns, with the element
names of the EC2 API model (ipamSet/item, ipamScopeSet, ipamResourceCidrSet,
nextToken, requestId). Where the facts come from is an inventory's business:
inventory_live.py reads them from moto, inventory_synthetic.py generates them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence
from xml.sax.saxutils import escape

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
IPAM_ACTIONS = ("DescribeIpams", "DescribeIpamScopes", "GetIpamResourceCidrs")
# IpamMaxResults in the EC2 API model.
MIN_RESULTS, MAX_RESULTS = 5, 1000
# Page size when the caller sends no MaxResults.
DEFAULT_RESULTS = 1000
RESOURCE_TYPES = ("vpc", "subnet", "eip", "public-ipv4-pool", "ipv6-pool", "eni", "anycast-ip-list")


class ApiError(Exception):
    """An EC2 error response: code and message as the real endpoint words them."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Scope:
    id: str
    type: str  # private | public
    is_default: bool
    description: str = ""


@dataclass(frozen=True)
class Ipam:
    id: str
    owner_id: str
    region: str
    operating_regions: tuple[str, ...]
    scopes: tuple[Scope, ...]
    tier: str = "advanced"
    description: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2::{self.owner_id}:ipam/{self.id}"

    def scope_arn(self, scope: Scope) -> str:
        return f"arn:aws:ec2::{self.owner_id}:ipam-scope/{scope.id}"

    def default_scope(self, scope_type: str) -> Scope | None:
        return next((s for s in self.scopes if s.type == scope_type and s.is_default), None)


@dataclass
class ResourceCidr:
    """One IpamResourceCidr. ip_usage None means IPAM reports no usage (IPv6 subnets)."""

    ipam_id: str
    scope_id: str
    resource_id: str
    resource_type: str
    cidr: str
    region: str
    owner_id: str
    tags: tuple[tuple[str, str], ...] = ()
    ip_usage: float | None = None
    vpc_id: str | None = None
    availability_zone_id: str | None = None
    management_state: str = "unmanaged"
    compliance_status: str = "unmanaged"
    overlap_status: str = "nonoverlapping"
    _xml: str | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str | None:
        return dict(self.tags).get("Name")

    def xml(self) -> str:
        # Rendered once per record: the synthetic inventory serves the same records page after page.
        if self._xml is None:
            self._xml = render_resource_cidr(self)
        return self._xml


class Inventory(Protocol):
    """What the actions need to know. static: answers never change, so filtered lists may be cached."""

    static: bool

    def ipam(self) -> Ipam: ...

    def resource_cidrs(self, scope: Scope) -> Sequence[ResourceCidr]: ...


# ---------------------------------------------------------------- XML rendering


def _el(name: str, value: object) -> str:
    """One element, or nothing when the value is absent (the real API omits unset members)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = escape(str(value))
    return f"<{name}>{text}</{name}>"


def _tag_set(name: str, tags: Sequence[tuple[str, str]]) -> str:
    if not tags:
        return f"<{name}/>"
    items = "".join(f"<item>{_el('key', k)}{_el('value', v)}</item>" for k, v in tags)
    return f"<{name}>{items}</{name}>"


def format_usage(value: float) -> str:
    # repr is the shortest text that reads back as the same double, in Python and in JavaScript.
    return repr(float(value))


def render_resource_cidr(r: ResourceCidr) -> str:
    return (
        "<item>"
        + _el("ipamId", r.ipam_id)
        + _el("ipamScopeId", r.scope_id)
        + _el("resourceRegion", r.region)
        + _el("resourceOwnerId", r.owner_id)
        + _el("resourceId", r.resource_id)
        + _el("resourceName", r.name)
        + _el("resourceCidr", r.cidr)
        + _el("resourceType", r.resource_type)
        + _tag_set("resourceTagSet", r.tags)
        + (_el("ipUsage", format_usage(r.ip_usage)) if r.ip_usage is not None else "")
        + _el("complianceStatus", r.compliance_status)
        + _el("managementState", r.management_state)
        + _el("overlapStatus", r.overlap_status)
        + _el("vpcId", r.vpc_id)
        + _el("availabilityZoneId", r.availability_zone_id)
        + "</item>"
    )


def render_ipam(ipam: Ipam) -> str:
    public = ipam.default_scope("public")
    private = ipam.default_scope("private")
    regions = "".join(f"<item>{_el('regionName', r)}</item>" for r in ipam.operating_regions)
    return (
        "<item>"
        + _el("ownerId", ipam.owner_id)
        + _el("ipamId", ipam.id)
        + _el("ipamArn", ipam.arn)
        + _el("ipamRegion", ipam.region)
        + _el("publicDefaultScopeId", public.id if public else None)
        + _el("privateDefaultScopeId", private.id if private else None)
        + _el("scopeCount", len(ipam.scopes))
        + _el("description", ipam.description or None)
        + f"<operatingRegionSet>{regions}</operatingRegionSet>"
        + _el("state", "create-complete")
        + "<tagSet/>"
        + _el("resourceDiscoveryAssociationCount", 1)
        + _el("tier", ipam.tier)
        + "</item>"
    )


def render_scope(ipam: Ipam, scope: Scope) -> str:
    return (
        "<item>"
        + _el("ownerId", ipam.owner_id)
        + _el("ipamScopeId", scope.id)
        + _el("ipamScopeArn", ipam.scope_arn(scope))
        + _el("ipamArn", ipam.arn)
        + _el("ipamRegion", ipam.region)
        + _el("ipamScopeType", scope.type)
        + _el("isDefault", scope.is_default)
        + _el("description", scope.description or None)
        + _el("poolCount", 0)
        + _el("state", "create-complete")
        + "<tagSet/>"
        + "</item>"
    )


def new_request_id() -> str:
    return str(uuid.uuid4())


def render_response(action: str, set_name: str, items: Sequence[str], next_token: str | None, request_id: str) -> str:
    body = "".join(items)
    listing = f"<{set_name}>{body}</{set_name}>" if body else f"<{set_name}/>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{action}Response xmlns="{EC2_XMLNS}">'
        f"<requestId>{request_id}</requestId>"
        f"{listing}{_el('nextToken', next_token)}"
        f"</{action}Response>"
    )


def render_error(code: str, message: str, request_id: str) -> str:
    """EC2's error document (not the Query protocol's ErrorResponse)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error>{_el('Code', code)}{_el('Message', message)}</Error></Errors>"
        f"<RequestID>{request_id}</RequestID></Response>"
    )


# ---------------------------------------------------------------- request parameters

Params = dict[str, str]


def indexed_list(params: Params, prefix: str) -> list[str]:
    """Values of Prefix.1, Prefix.2, … in index order (EC2 serializes lists this way)."""
    found = []
    for key, value in params.items():
        head, _, index = key.rpartition(".")
        if head == prefix and index.isdigit():
            found.append((int(index), value))
    return [value for _, value in sorted(found)]


def filters(params: Params) -> list[tuple[str, list[str]]]:
    """Filter.N.Name with Filter.N.Value.M: [(name, [values])] in N order."""
    indices = sorted({int(k.split(".")[1]) for k in params if k.startswith("Filter.") and k.split(".")[1].isdigit()})
    result = []
    for n in indices:
        name = params.get(f"Filter.{n}.Name")
        if name:
            result.append((name, indexed_list(params, f"Filter.{n}.Value")))
    return result


def max_results(params: Params) -> int:
    raw = params.get("MaxResults")
    if raw is None or raw == "":
        return DEFAULT_RESULTS
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("InvalidParameterValue", f"Value ( {raw} ) for parameter maxResults is invalid. Expecting an integer.")
    if value < MIN_RESULTS:
        raise ApiError(
            "InvalidParameterValue",
            f"Value ( {value} ) for parameter maxResults is invalid. Expecting a value greater than or equal to {MIN_RESULTS}.",
        )
    if value > MAX_RESULTS:
        raise ApiError(
            "InvalidParameterValue",
            f"Value ( {value} ) for parameter maxResults is invalid. Expecting a value less than or equal to {MAX_RESULTS}.",
        )
    return value


def _query_fingerprint(action: str, params: Params) -> str:
    """Ties a NextToken to the request that produced it: same action, same inputs except paging."""
    relevant = sorted((k, v) for k, v in params.items() if k not in ("NextToken", "MaxResults", "Version"))
    return hashlib.sha256(json.dumps([action, relevant]).encode()).hexdigest()[:16]


def encode_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": fingerprint}).encode()).decode()


def decode_token(token: str, fingerprint: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, owner = int(decoded["o"]), decoded["q"]
    except (ValueError, KeyError, TypeError):
        raise ApiError("InvalidPaginationToken", f"The pagination token '{token}' is not valid.")
    if owner != fingerprint or offset < 0:
        raise ApiError("InvalidPaginationToken", f"The pagination token '{token}' does not belong to this request.")
    return offset


def page(action: str, params: Params, items: Sequence, limit: int) -> tuple[Sequence, str | None]:
    fingerprint = _query_fingerprint(action, params)
    token = params.get("NextToken")
    start = decode_token(token, fingerprint) if token else 0
    end = start + limit
    next_token = encode_token(end, fingerprint) if end < len(items) else None
    return items[start:end], next_token


# ---------------------------------------------------------------- filtering


def _tag_filter(tags: Sequence[tuple[str, str]], name: str, values: list[str]) -> bool:
    if name.startswith("tag:"):
        key = name[4:]
        return any(k == key and v in values for k, v in tags)
    if name == "tag-key":
        return any(k in values for k, _ in tags)
    return any(v in values for _, v in tags)  # tag-value


def _apply_filters(
    items: Sequence, wanted: list[tuple[str, list[str]]], fields: dict[str, Callable], tags: Callable, log: Callable[[str], None]
) -> list:
    checks = []
    for name, values in wanted:
        if name.startswith("tag:") or name in ("tag-key", "tag-value"):
            checks.append(lambda item, n=name, v=values: _tag_filter(tags(item), n, v))
        elif name in fields:
            checks.append(lambda item, f=fields[name], v=values: str(f(item)) in v)
        else:
            # The brief of a test double: never fail a scan over a filter it does not model, but say so.
            log(f"ignoring unknown filter {name!r}")
    return [item for item in items if all(check(item) for check in checks)]


RESOURCE_CIDR_FILTERS: dict[str, Callable[[ResourceCidr], object]] = {
    "resource-id": lambda r: r.resource_id,
    "resource-type": lambda r: r.resource_type,
    "resource-cidr": lambda r: r.cidr,
    "resource-region": lambda r: r.region,
    "resource-owner-id": lambda r: r.owner_id,
    "vpc-id": lambda r: r.vpc_id,
    "management-state": lambda r: r.management_state,
    "compliance-status": lambda r: r.compliance_status,
    "overlap-status": lambda r: r.overlap_status,
}


# ---------------------------------------------------------------- the actions


@dataclass
class IpamApi:
    """Answers IPAM actions from an inventory. log receives one line per oddity worth seeing."""

    inventory: Inventory
    log: Callable[[str], None] = lambda line: None
    _cache: dict = field(default_factory=dict)

    def handle(self, action: str, params: Params, region: str | None, request_id: str | None = None) -> tuple[int, str]:
        """Returns (HTTP status, XML body) for one request, errors included."""
        request_id = request_id or new_request_id()
        try:
            if params.get("DryRun", "").lower() == "true":
                raise ApiError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)
            if action == "DescribeIpams":
                return 200, self._describe_ipams(params, region, request_id)
            if action == "DescribeIpamScopes":
                return 200, self._describe_scopes(params, region, request_id)
            if action == "GetIpamResourceCidrs":
                return 200, self._get_resource_cidrs(params, region, request_id)
            raise ApiError("UnsupportedOperation", f"The IPAM emulation does not implement {action}; it answers {', '.join(IPAM_ACTIONS)}.")
        except ApiError as error:
            return error.status, render_error(error.code, error.message, request_id)
        except Exception as error:  # noqa: BLE001 — an answer the SDK understands beats a dropped connection
            self.log(f"{action} failed: {error!r}")
            return 500, render_error("InternalError", f"The IPAM emulation failed: {error}", request_id)

    def _ipam_in(self, region: str | None) -> Ipam | None:
        # An IPAM lives in its home region: asked from any other region it does not exist.
        ipam = self.inventory.ipam()
        return ipam if region in (None, ipam.region) else None

    def _describe_ipams(self, params: Params, region: str | None, request_id: str) -> str:
        limit = max_results(params)
        ipam = self._ipam_in(region)
        ipams = [ipam] if ipam else []
        wanted_ids = indexed_list(params, "IpamId")
        for wanted in wanted_ids:
            if not any(i.id == wanted for i in ipams):
                raise ApiError("InvalidIpamId.NotFound", f"The ipam ID '{wanted}' does not exist")
        fields = {"ipam-id": lambda i: i.id, "ipam-region": lambda i: i.region, "owner-id": lambda i: i.owner_id, "tier": lambda i: i.tier}
        ipams = _apply_filters(ipams, filters(params), fields, lambda i: (), self.log)
        shown, token = page("DescribeIpams", params, ipams, limit)
        return render_response("DescribeIpams", "ipamSet", [render_ipam(i) for i in shown], token, request_id)

    def _describe_scopes(self, params: Params, region: str | None, request_id: str) -> str:
        limit = max_results(params)
        ipam = self._ipam_in(region)
        scopes = list(ipam.scopes) if ipam else []
        wanted_ids = indexed_list(params, "IpamScopeId")
        for wanted in wanted_ids:
            if not any(s.id == wanted for s in scopes):
                raise ApiError("InvalidIpamScopeId.NotFound", f"The ipam scope ID '{wanted}' does not exist")
        if wanted_ids:
            scopes = [s for s in scopes if s.id in wanted_ids]
        fields = {
            "ipam-scope-id": lambda s: s.id,
            "ipam-scope-type": lambda s: s.type,
            "is-default": lambda s: "true" if s.is_default else "false",
            "ipam-arn": lambda s: ipam.arn,
            "ipam-id": lambda s: ipam.id,
            "ipam-region": lambda s: ipam.region,
            "owner-id": lambda s: ipam.owner_id,
        }
        scopes = _apply_filters(scopes, filters(params), fields, lambda s: (), self.log)
        shown, token = page("DescribeIpamScopes", params, scopes, limit)
        return render_response("DescribeIpamScopes", "ipamScopeSet", [render_scope(ipam, s) for s in shown], token, request_id)

    def _get_resource_cidrs(self, params: Params, region: str | None, request_id: str) -> str:
        limit = max_results(params)
        scope_id = params.get("IpamScopeId")
        if not scope_id:
            raise ApiError("MissingParameter", "The request must contain the parameter IpamScopeId")
        ipam = self._ipam_in(region)
        scope = next((s for s in ipam.scopes if s.id == scope_id), None) if ipam else None
        if scope is None:
            raise ApiError("InvalidIpamScopeId.NotFound", f"The ipam scope ID '{scope_id}' does not exist")
        if params.get("IpamPoolId"):
            raise ApiError("InvalidIpamPoolId.NotFound", f"The ipam pool ID '{params['IpamPoolId']}' does not exist")
        resource_type = params.get("ResourceType")
        if resource_type and resource_type not in RESOURCE_TYPES:
            raise ApiError(
                "InvalidParameterValue",
                f"Value ({resource_type}) for parameter resourceType is invalid. Valid values: {', '.join(RESOURCE_TYPES)}.",
            )
        items = self._matching_cidrs(scope, params)
        shown, token = page("GetIpamResourceCidrs", params, items, limit)
        return render_response("GetIpamResourceCidrs", "ipamResourceCidrSet", [r.xml() for r in shown], token, request_id)

    def _matching_cidrs(self, scope: Scope, params: Params) -> Sequence[ResourceCidr]:
        key = (scope.id, tuple(sorted((k, v) for k, v in params.items() if k not in ("NextToken", "MaxResults"))))
        if self.inventory.static and key in self._cache:
            return self._cache[key]
        items: Sequence[ResourceCidr] = self.inventory.resource_cidrs(scope)
        selectors = [
            ("ResourceType", lambda r, v: r.resource_type == v),
            ("ResourceId", lambda r, v: r.resource_id == v),
            ("ResourceOwner", lambda r, v: r.owner_id == v),
        ]
        for param, test in selectors:
            value = params.get(param)
            if value:
                items = [r for r in items if test(r, value)]
        tag_key = params.get("ResourceTag.Key")
        if tag_key:
            tag_value = params.get("ResourceTag.Value")
            items = [r for r in items if any(k == tag_key and (tag_value is None or v == tag_value) for k, v in r.tags)]
        wanted = filters(params)
        if wanted:
            items = _apply_filters(items, wanted, RESOURCE_CIDR_FILTERS, lambda r: r.tags, self.log)
        if self.inventory.static:
            self._cache[key] = items
        return items
