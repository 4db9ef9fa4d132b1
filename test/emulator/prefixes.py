"""IPv4 prefix delegation for moto: /28 prefixes on network interfaces.

moto keeps a network interface's secondary addresses and a subnet's CIDR reservations, but ignores
`Ipv4PrefixCount` and `Ipv4Prefix.N` and never returns `ipv4PrefixSet`. This layer, inside the
emulator's proxy, keeps the delegated prefixes itself and makes every answer that shows them say
what EC2 would:

- AssignPrivateIpAddresses with `Ipv4Prefix.N` (a /28 the caller names) or `Ipv4PrefixCount`
  (EC2 picks): answered here. EC2 picks as documented ("Prefix delegation for Amazon EC2 network
  interfaces"): from the subnet's `prefix` CIDR reservations when it has any, otherwise from the
  subnet; here always the lowest free aligned /28 (EC2 chooses among several at random). A /28 is
  free when it holds no address of an interface, no other prefix, none of the five addresses AWS
  reserves and no address of an `explicit` reservation. No room: `InsufficientCidrBlocks`, the
  error EKS nodes report. Addresses and prefixes in one request: `InvalidParameterCombination`.
- UnassignPrivateIpAddresses with `Ipv4Prefix.N`: answered here.
- AssignPrivateIpAddresses / CreateNetworkInterface naming an address inside a delegated prefix:
  refused with `PrivateIpAddressInUse` before moto sees it. CreateNetworkInterface with prefixes:
  refused with `UnsupportedOperation` (create the interface, then assign its prefixes).
- DescribeNetworkInterfaces: moto's answer with `ipv4PrefixSet` added to each interface, and paged
  as EC2 pages it (`MaxResults` 5–1000, an opaque `NextToken`); moto itself returns everything at once.
- DescribeSubnets: `availableIpAddressCount` lowered by 16 for each delegated prefix.
- DeleteNetworkInterface: its prefixes are released.

Not emulated: moto, asked for a *count* of secondary addresses, may hand out one inside a delegated
prefix (the seeders always name addresses); IPv6 prefixes.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import threading
import xml.etree.ElementTree as ET
from typing import Callable

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
PREFIX_LENGTH = 28
PREFIX_SIZE = 16
MIN_RESULTS, MAX_RESULTS = 5, 1000

INTERCEPTED = ("AssignPrivateIpAddresses", "UnassignPrivateIpAddresses", "CreateNetworkInterface")
REWRITTEN = ("DescribeNetworkInterfaces", "DescribeSubnets", "DeleteNetworkInterface")


class PrefixError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def _indexed(params: dict[str, str], prefix: str, suffix: str = "") -> list[str]:
    """Values of `prefix.N[suffix]` parameters in N order."""
    pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+){re.escape(suffix)}$")
    found = sorted((int(m.group(1)), v) for k, v in params.items() if (m := pattern.match(k)))
    return [v for _, v in found]


_SERIALIZE = threading.Lock()


def _namespace(root: ET.Element) -> str:
    """moto writes the EC2 namespace without its trailing slash; take it from the answer itself."""
    return root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""


def _tag(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}" if namespace else tag


def _serialize(root: ET.Element, namespace: str) -> bytes:
    # The SDKs expect the namespace as the default one, not an ns0: prefix; the registry is global.
    with _SERIALIZE:
        ET.register_namespace("", namespace)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class PrefixDelegation:
    """The prefixes delegated to each interface; `ec2_for(region)` gives a boto3 client of moto."""

    def __init__(self, ec2_for: Callable[[str], object]):
        self._ec2_for = ec2_for
        self._lock = threading.Lock()
        self._by_interface: dict[str, list[str]] = {}  # interface id → prefixes, in assignment order
        self._subnet_of: dict[str, str] = {}  # interface id → subnet id

    # ---------------------------------------------------------------- queries

    def prefixes_of(self, interface_id: str) -> list[str]:
        with self._lock:
            return list(self._by_interface.get(interface_id, []))

    def prefix_count(self, subnet_id: str) -> int:
        with self._lock:
            return sum(len(p) for eni, p in self._by_interface.items() if self._subnet_of.get(eni) == subnet_id)

    def _all_prefixes(self) -> list[ipaddress.IPv4Network]:
        return [ipaddress.ip_network(p) for prefixes in self._by_interface.values() for p in prefixes]

    # ---------------------------------------------------------------- requests answered here

    def intercepts(self, action: str, params: dict[str, str]) -> bool:
        if action == "CreateNetworkInterface":
            return True  # checked for prefixes and for addresses inside delegated prefixes
        if action in ("AssignPrivateIpAddresses", "UnassignPrivateIpAddresses"):
            return True
        return False

    def answer(self, action: str, params: dict[str, str], region: str, request_id: str, forward: Callable[[], tuple[int, bytes]]) -> tuple[int, bytes]:
        """Answers an intercepted request, forwarding to moto what moto handles itself."""
        try:
            if action == "CreateNetworkInterface":
                if params.get("Ipv4PrefixCount") or _indexed(params, "Ipv4Prefix", ".Ipv4Prefix"):
                    raise PrefixError("UnsupportedOperation", "the emulator assigns IPv4 prefixes with AssignPrivateIpAddresses only; create the interface first")
                self._refuse_addresses_in_prefixes([params.get("PrivateIpAddress", ""), *_indexed(params, "PrivateIpAddresses", ".PrivateIpAddress")])
                return forward()
            named = _indexed(params, "Ipv4Prefix")
            count = params.get("Ipv4PrefixCount")
            addresses = _indexed(params, "PrivateIpAddress")
            if action == "UnassignPrivateIpAddresses":
                if not named:
                    return forward()
                if addresses:
                    raise PrefixError("InvalidParameterCombination", "addresses and prefixes cannot be unassigned in one request")
                self._unassign(params["NetworkInterfaceId"], named)
                return 200, self._render("UnassignPrivateIpAddressesResponse", request_id, [("return", "true")])
            if not named and not count:
                self._refuse_addresses_in_prefixes(addresses)
                return forward()
            if addresses or params.get("SecondaryPrivateIpAddressCount"):
                raise PrefixError("InvalidParameterCombination", "addresses and prefixes cannot be assigned in one request")
            assigned = self._assign(region, params["NetworkInterfaceId"], named, int(count) if count else 0)
            return 200, self._assign_response(request_id, params["NetworkInterfaceId"], assigned)
        except PrefixError as error:
            return error.status, self.error_body(error, request_id)

    def _refuse_addresses_in_prefixes(self, addresses: list[str]) -> None:
        with self._lock:
            prefixes = self._all_prefixes()
        for text in addresses:
            if text and any(ipaddress.ip_address(text) in p for p in prefixes):
                raise PrefixError("PrivateIpAddressInUse", f"the address {text} is in a prefix delegated to a network interface")

    def _interface(self, region: str, interface_id: str) -> dict:
        ec2 = self._ec2_for(region)
        try:
            return ec2.describe_network_interfaces(NetworkInterfaceIds=[interface_id])["NetworkInterfaces"][0]
        except Exception as error:  # noqa: BLE001 — moto's own error, reworded as EC2's
            raise PrefixError("InvalidNetworkInterfaceID.NotFound", f"the network interface '{interface_id}' does not exist") from error

    def _blocked(self, region: str, subnet_id: str) -> tuple[ipaddress.IPv4Network, set, list, list]:
        """The subnet, the addresses in use, its explicit and its prefix reservations (IPv4)."""
        ec2 = self._ec2_for(region)
        subnet = ipaddress.ip_network(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["CidrBlock"])
        used: set = set()
        for eni in ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["NetworkInterfaces"]:
            used.update(ipaddress.ip_address(a["PrivateIpAddress"]) for a in eni.get("PrivateIpAddresses", []))
        reservations = ec2.get_subnet_cidr_reservations(SubnetId=subnet_id).get("SubnetIpv4CidrReservations", [])
        explicit = [ipaddress.ip_network(r["Cidr"]) for r in reservations if r["ReservationType"] == "explicit"]
        prefix = [ipaddress.ip_network(r["Cidr"]) for r in reservations if r["ReservationType"] == "prefix"]
        return subnet, used, explicit, prefix

    def _free(self, block: ipaddress.IPv4Network, subnet, used: set, explicit: list, taken: list) -> bool:
        first, last = subnet.network_address + 3, subnet.broadcast_address
        if block.network_address <= first or block.broadcast_address >= last:
            return False
        if any(a in block for a in used) or any(block.overlaps(r) for r in explicit):
            return False
        return not any(block.overlaps(p) for p in taken)

    def _assign(self, region: str, interface_id: str, named: list[str], count: int) -> list[str]:
        eni = self._interface(region, interface_id)
        subnet_id = eni["SubnetId"]
        subnet, used, explicit, prefix_reservations = self._blocked(region, subnet_id)
        with self._lock:
            taken = self._all_prefixes()
            chosen: list[str] = []
            for text in named:
                try:
                    block = ipaddress.ip_network(text)
                except ValueError as error:
                    raise PrefixError("InvalidParameterValue", f"{text!r} is not a valid IPv4 prefix") from error
                if block.version != 4 or block.prefixlen != PREFIX_LENGTH:
                    raise PrefixError("InvalidParameterValue", f"{text}: an IPv4 prefix must be a /{PREFIX_LENGTH}")
                if not block.subnet_of(subnet):
                    raise PrefixError("InvalidParameterValue", f"{text} is not in the subnet {subnet}")
                if not self._free(block, subnet, used, explicit, taken):
                    raise PrefixError("InvalidParameterValue", f"{text} overlaps addresses in use or reserved")
                taken.append(block)
                chosen.append(str(block))
            # As EC2 documents it: from the prefix reservations when the subnet has any, else from the subnet.
            pools = prefix_reservations or [subnet]
            for _ in range(count):
                block = next(
                    (b for pool in pools for b in pool.subnets(new_prefix=PREFIX_LENGTH) if self._free(b, subnet, used, explicit, taken)),
                    None,
                )
                if block is None:
                    raise PrefixError("InsufficientCidrBlocks", "There are not enough free cidr blocks in the specified subnet to satisfy the request.")
                taken.append(block)
                chosen.append(str(block))
            self._by_interface.setdefault(interface_id, []).extend(chosen)
            self._subnet_of[interface_id] = subnet_id
            return chosen

    def _unassign(self, interface_id: str, named: list[str]) -> None:
        with self._lock:
            held = self._by_interface.get(interface_id, [])
            for text in named:
                if text not in held:
                    raise PrefixError("InvalidParameterValue", f"the prefix {text} is not assigned to {interface_id}")
            self._by_interface[interface_id] = [p for p in held if p not in named]

    # ---------------------------------------------------------------- moto's answers, rewritten

    def rewrite(self, action: str, params: dict[str, str], request_id: str, status: int, body: bytes) -> tuple[int, bytes]:
        """moto's answer to a forwarded request as EC2 would give it."""
        if status != 200 or action not in REWRITTEN:
            return status, body
        try:
            if action == "DeleteNetworkInterface":
                with self._lock:
                    self._by_interface.pop(params.get("NetworkInterfaceId", ""), None)
                return status, body
            if action == "DescribeSubnets":
                return status, self._rewrite_subnets(body)
            return status, self._rewrite_interfaces(params, body)
        except PrefixError as error:
            return error.status, self.error_body(error, request_id)

    def _rewrite_subnets(self, body: bytes) -> bytes:
        with self._lock:
            if not self._by_interface:
                return body
        root = ET.fromstring(body)
        ns = _namespace(root)
        for item in root.iter(_tag(ns, "item")):
            subnet_id, available = item.find(_tag(ns, "subnetId")), item.find(_tag(ns, "availableIpAddressCount"))
            if subnet_id is None or available is None:
                continue
            taken = self.prefix_count(subnet_id.text or "") * PREFIX_SIZE
            if taken:
                available.text = str(max(int(available.text or "0") - taken, 0))
        return _serialize(root, ns)

    def _page_token(self, params: dict[str, str], offset: int) -> str:
        request = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
        digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:16]
        return base64.urlsafe_b64encode(f"{digest}:{offset}".encode()).decode()

    def _page_offset(self, params: dict[str, str]) -> int:
        token = params.get("NextToken")
        if not token:
            return 0
        try:
            digest, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
            if self._page_token(params, int(offset)) == token:
                return int(offset)
        except (ValueError, UnicodeDecodeError):
            pass
        raise PrefixError("InvalidPaginationToken", f"The pagination token {token!r} is not valid for this request")

    def _rewrite_interfaces(self, params: dict[str, str], body: bytes) -> bytes:
        root = ET.fromstring(body)
        ns = _namespace(root)
        the_set = root.find(_tag(ns, "networkInterfaceSet"))
        if the_set is None:
            return body
        items = list(the_set)
        with self._lock:
            for item in items:
                eni_id = item.findtext(_tag(ns, "networkInterfaceId"))
                prefixes = self._by_interface.get(eni_id or "", [])
                if prefixes:
                    prefix_set = ET.SubElement(item, _tag(ns, "ipv4PrefixSet"))
                    for p in prefixes:
                        ET.SubElement(ET.SubElement(prefix_set, _tag(ns, "item")), _tag(ns, "ipv4Prefix")).text = p
        if "MaxResults" in params or "NextToken" in params:
            size = int(params.get("MaxResults") or MAX_RESULTS)
            if not MIN_RESULTS <= size <= MAX_RESULTS:
                raise PrefixError("InvalidParameterValue", f"MaxResults {size} must be from {MIN_RESULTS} to {MAX_RESULTS}")
            offset = self._page_offset(params)
            for item in items:
                the_set.remove(item)
            for item in items[offset:offset + size]:
                the_set.append(item)
            if offset + size < len(items):
                ET.SubElement(root, _tag(ns, "nextToken")).text = self._page_token(params, offset + size)
        return _serialize(root, ns)

    def error_body(self, error: PrefixError, request_id: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{error.code}</Code><Message>{error.message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()

    # ---------------------------------------------------------------- rendering

    def _render(self, response: str, request_id: str, fields: list[tuple[str, str]]) -> bytes:
        inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<{response} xmlns="{EC2_XMLNS}"><requestId>{request_id}</requestId>{inner}</{response}>'.encode()

    def _assign_response(self, request_id: str, interface_id: str, prefixes: list[str]) -> bytes:
        items = "".join(f"<item><ipv4Prefix>{p}</ipv4Prefix></item>" for p in prefixes)
        return self._render(
            "AssignPrivateIpAddressesResponse",
            request_id,
            [("networkInterfaceId", interface_id), ("assignedPrivateIpAddressesSet", ""), ("assignedIpv4PrefixSet", items)],
        )
