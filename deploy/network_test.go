package main

import (
	"sort"
	"strings"
	"testing"
)

func TestNetwork_TwoZonesThreeTiers(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() { s.tmpl.ResourceCountIs(str("AWS::EC2::VPC"), num(1)) })

	type tier struct{ zones map[float64]bool }
	tiers := map[string]*tier{}
	for _, r := range s.resources("AWS::EC2::Subnet") {
		p := r["Properties"].(map[string]any)
		kind := tagValue(p, "aws-cdk:subnet-type")
		if tiers[kind] == nil {
			tiers[kind] = &tier{zones: map[float64]bool{}}
		}
		az := p["AvailabilityZone"].(map[string]any)["Fn::Select"].([]any)[0].(float64)
		tiers[kind].zones[az] = true
	}
	for _, kind := range []string{"Public", "Private", "Isolated"} {
		if tiers[kind] == nil || len(tiers[kind].zones) != 2 {
			t.Errorf("%s subnets span %v, want two availability zones", kind, tiers[kind])
		}
	}
	if len(tiers) != 3 {
		t.Errorf("subnet tiers %v, want Public, Private and Isolated", sortedKeys(tiers))
	}
}

func TestNetwork_PrivateSubnetsGoOutThroughOneNAT(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() { s.tmpl.ResourceCountIs(str("AWS::EC2::NatGateway"), num(1)) })
	routes := map[string]int{}
	for _, r := range s.resources("AWS::EC2::Route") {
		p := r["Properties"].(map[string]any)
		switch {
		case p["NatGatewayId"] != nil:
			routes["nat"]++
		case p["GatewayId"] != nil:
			routes["internet"]++
		}
	}
	// Two public route tables to the internet gateway, both app route tables to the one NAT
	// gateway, and none at all for the database subnets.
	if routes["nat"] != 2 || routes["internet"] != 2 || len(s.resources("AWS::EC2::Route")) != 4 {
		t.Errorf("routes %v, want 2 through NAT and 2 to the internet gateway, nothing else", routes)
	}

	two := synth(t, map[string]any{"natGateways": "2"})
	expect(t, func() { two.tmpl.ResourceCountIs(str("AWS::EC2::NatGateway"), num(2)) })
}

// ECR, S3, CloudWatch Logs and Secrets Manager are reached inside the VPC, so a task starts
// and logs without the NAT gateway; the interface endpoints admit the tasks alone.
func TestNetwork_EndpointsForWhatATaskNeedsToStart(t *testing.T) {
	s := synth(t, nil)
	services := map[string]string{}
	for id, r := range s.resources("AWS::EC2::VPCEndpoint") {
		p := r["Properties"].(map[string]any)
		services[js(p["ServiceName"])] = p["VpcEndpointType"].(string)
		if p["VpcEndpointType"] == "Interface" && p["PrivateDnsEnabled"] != true {
			t.Errorf("endpoint %s without private DNS: the SDKs would not find it", id)
		}
	}
	for _, want := range []string{"ecr.api", "ecr.dkr", "logs", "secretsmanager", "s3"} {
		found := false
		for name := range services {
			found = found || strings.Contains(name, "."+want+`"`) || strings.HasSuffix(name, want+`"]]}`)
		}
		if !found {
			t.Errorf("no endpoint for %s; endpoints %v", want, sortedKeys(services))
		}
	}
	if len(services) != 5 {
		t.Errorf("endpoints %v, want 5", services)
	}
	group := func(prefix string) string {
		return js(map[string]any{"Fn::GetAtt": []any{s.idOf(t, "AWS::EC2::SecurityGroup", prefix), "GroupId"}})
	}
	serviceSG, rotationSG := group("ServiceSecurityGroup"), group("DatabaseInstanceRotationSingleUserSecurityGroup")
	from := map[string][]string{}
	for id, r := range s.resources("AWS::EC2::SecurityGroupIngress") {
		p := r["Properties"].(map[string]any)
		if !strings.Contains(js(p["GroupId"]), "NetworkVpc") {
			continue
		}
		if p["FromPort"] != float64(443) {
			t.Errorf("endpoint ingress %s on port %v, want 443", id, p["FromPort"])
		}
		source := "other"
		switch js(p["SourceSecurityGroupId"]) {
		case serviceSG:
			source = "tasks"
		case rotationSG:
			source = "rotation"
		}
		endpoint := strings.TrimPrefix(js(p["GroupId"].(map[string]any)["Fn::GetAtt"].([]any)[0]), `"NetworkVpc`)
		endpoint = endpoint[:strings.Index(endpoint, "SecurityGroup")]
		from[endpoint] = append(from[endpoint], source)
	}
	// The tasks reach every endpoint; the password rotation reaches Secrets Manager too.
	for endpoint, want := range map[string]string{"EcrApi": `["tasks"]`, "EcrDocker": `["tasks"]`, "Logs": `["tasks"]`, "SecretsManager": `["rotation","tasks"]`} {
		sort.Strings(from[endpoint])
		if js(from[endpoint]) != want {
			t.Errorf("%s endpoint admits %v, want %s", endpoint, from[endpoint], want)
		}
	}

	none := synth(t, map[string]any{"vpcEndpoints": "false"})
	expect(t, func() { none.tmpl.ResourceCountIs(str("AWS::EC2::VPCEndpoint"), num(1)) })
}

func tagValue(props map[string]any, key string) string {
	tags, _ := props["Tags"].([]any)
	for _, tag := range tags {
		tag := tag.(map[string]any)
		if tag["Key"] == key {
			return tag["Value"].(string)
		}
	}
	return ""
}
