"""IPv4 prefix delegation through the emulator's proxy (prefixes.py), with the scanner's own SDK too."""

from __future__ import annotations

import unittest

from botocore.exceptions import ClientError

import emulator as lifecycle
from support import client

STATE: dict = {}
REGION = "us-east-1"


def setUpModule():
    STATE["emulator"] = lifecycle.start([REGION])


def tearDownModule():
    lifecycle.stop(STATE["emulator"])


def ec2():
    return client("ec2", STATE["emulator"].proxy.url, REGION)


def new_subnet(cidr: str, vpc_cidr: str) -> str:
    vpc = ec2().create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
    return ec2().create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]


def new_interface(subnet_id: str, address: str) -> str:
    return ec2().create_network_interface(SubnetId=subnet_id, PrivateIpAddress=address)["NetworkInterface"]["NetworkInterfaceId"]


def prefixes_of(eni: str) -> list[str]:
    found = ec2().describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    return [p["Ipv4Prefix"] for p in found.get("Ipv4Prefixes", [])]


def available(subnet_id: str) -> int:
    return ec2().describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


def error_code(call) -> str:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("the call succeeded")


class AssigningPrefixes(unittest.TestCase):
    def test_a_count_takes_the_lowest_free_aligned_28s_past_the_addresses_in_use(self):
        subnet = new_subnet("10.61.0.0/24", "10.61.0.0/16")
        eni = new_interface(subnet, "10.61.0.20")  # in the second /28

        answer = ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=2)

        self.assertEqual([p["Ipv4Prefix"] for p in answer["AssignedIpv4Prefixes"]], ["10.61.0.32/28", "10.61.0.48/28"])
        self.assertEqual(prefixes_of(eni), ["10.61.0.32/28", "10.61.0.48/28"])

    def test_delegated_prefixes_leave_the_available_count_as_ec2_does(self):
        subnet = new_subnet("10.62.0.0/24", "10.62.0.0/16")
        eni = new_interface(subnet, "10.62.0.20")

        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=3)

        self.assertEqual(available(subnet), 251 - 1 - 48)

    def test_a_named_prefix_is_checked_and_kept(self):
        subnet = new_subnet("10.63.0.0/24", "10.63.0.0/16")
        eni = new_interface(subnet, "10.63.0.20")

        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.63.0.128/28"])

        self.assertEqual(prefixes_of(eni), ["10.63.0.128/28"])
        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.63.0.16/28"])),
                         "InvalidParameterValue", "a /28 holding an address in use")
        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.63.0.0/28"])),
                         "InvalidParameterValue", "the /28 holding AWS-reserved addresses")
        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.63.0.64/27"])),
                         "InvalidParameterValue", "not a /28")

    def test_prefix_reservations_are_used_first_and_explicit_ones_never(self):
        subnet = new_subnet("10.64.0.0/24", "10.64.0.0/16")
        ec2().create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.64.0.16/28", ReservationType="explicit")
        ec2().create_subnet_cidr_reservation(SubnetId=subnet, Cidr="10.64.0.192/27", ReservationType="prefix")
        eni = new_interface(subnet, "10.64.0.40")

        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=2)

        self.assertEqual(prefixes_of(eni), ["10.64.0.192/28", "10.64.0.208/28"])
        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)),
                         "InsufficientCidrBlocks", "the prefix reservation is full")

    def test_a_subnet_without_a_free_28_answers_insufficient_cidr_blocks(self):
        subnet = new_subnet("10.65.0.0/27", "10.65.0.0/16")  # two /28s, each holding a reserved address
        eni = new_interface(subnet, "10.65.0.10")

        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)), "InsufficientCidrBlocks")

    def test_an_address_inside_a_delegated_prefix_is_refused(self):
        subnet = new_subnet("10.66.0.0/24", "10.66.0.0/16")
        eni = new_interface(subnet, "10.66.0.20")
        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.66.0.64/28"])

        self.assertEqual(error_code(lambda: ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.66.0.70"])),
                         "PrivateIpAddressInUse")
        self.assertEqual(error_code(lambda: new_interface(subnet, "10.66.0.79")), "PrivateIpAddressInUse")

    def test_unassigning_and_deleting_release_the_prefixes(self):
        subnet = new_subnet("10.67.0.0/24", "10.67.0.0/16")
        eni = new_interface(subnet, "10.67.0.20")
        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=2)

        ec2().unassign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=["10.67.0.32/28"])
        self.assertEqual(prefixes_of(eni), ["10.67.0.48/28"])
        ec2().delete_network_interface(NetworkInterfaceId=eni)
        self.assertEqual(available(subnet), 251)

    def test_creating_an_interface_with_prefixes_is_refused_rather_than_ignored(self):
        subnet = new_subnet("10.68.0.0/24", "10.68.0.0/16")

        code = error_code(lambda: ec2().create_network_interface(SubnetId=subnet, Ipv4PrefixCount=1))

        self.assertEqual(code, "UnsupportedOperation")


class DescribingInterfaces(unittest.TestCase):
    def test_pages_the_interfaces_as_ec2_does(self):
        subnet = new_subnet("10.69.0.0/24", "10.69.0.0/16")
        created = {new_interface(subnet, f"10.69.0.{10 + i}") for i in range(7)}
        filters = [{"Name": "subnet-id", "Values": [subnet]}]

        first = ec2().describe_network_interfaces(Filters=filters, MaxResults=5)
        second = ec2().describe_network_interfaces(Filters=filters, MaxResults=5, NextToken=first["NextToken"])

        self.assertEqual((len(first["NetworkInterfaces"]), len(second["NetworkInterfaces"])), (5, 2))
        self.assertNotIn("NextToken", second)
        self.assertEqual({e["NetworkInterfaceId"] for e in first["NetworkInterfaces"] + second["NetworkInterfaces"]}, created)

    def test_refuses_a_token_of_another_request(self):
        subnet = new_subnet("10.70.0.0/24", "10.70.0.0/16")
        for i in range(6):
            new_interface(subnet, f"10.70.0.{10 + i}")
        token = ec2().describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}], MaxResults=5)["NextToken"]

        code = error_code(lambda: ec2().describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": ["vpc-x"]}], MaxResults=5, NextToken=token))

        self.assertEqual(code, "InvalidPaginationToken")


class TheIpamView(unittest.TestCase):
    def test_counts_delegated_prefixes_as_used_in_the_subnet_ip_usage(self):
        subnet = new_subnet("10.71.0.0/24", "10.71.0.0/16")
        eni = new_interface(subnet, "10.71.0.20")
        ec2().assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=4)
        scope = ec2().describe_ipam_scopes()["IpamScopes"]
        private = next(s["IpamScopeId"] for s in scope if s["IpamScopeType"] == "private")

        cidrs = ec2().get_ipam_resource_cidrs(IpamScopeId=private, ResourceId=subnet)["IpamResourceCidrs"]

        self.assertEqual([c["IpUsage"] for c in cidrs], [(1 + 64) / 251])


if __name__ == "__main__":
    unittest.main()
