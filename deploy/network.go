package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Network is the VPC over two availability zones: public subnets for the load balancer and
// the NAT gateways, private subnets with a way out for the tasks (CoinGecko, ECR, Secrets
// Manager, CloudWatch Logs), and isolated subnets for the database, which needs none.
type Network struct {
	constructs.Construct
	Vpc awsec2.Vpc
}

// Subnet group names, used to place each tier.
const (
	subnetPublic   = "public"
	subnetApp      = "app"
	subnetDatabase = "database"
)

// NewNetwork creates the VPC. The stack's account is left open, so the two zones resolve at
// deployment (Fn::GetAZs) and synthesis needs no availability-zone lookup.
func NewNetwork(scope constructs.Construct, id string, cfg Config) *Network {
	c := constructs.NewConstruct(scope, &id)
	vpc := awsec2.NewVpc(c, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses: awsec2.IpAddresses_Cidr(jsii.String("10.0.0.0/16")),
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(cfg.NatGateways),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String(subnetPublic), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
			{Name: jsii.String(subnetApp), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS, CidrMask: jsii.Number(24)},
			{Name: jsii.String(subnetDatabase), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24)},
		},
	})
	return &Network{Construct: c, Vpc: vpc}
}
