package main

import "testing"

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

func TestNetwork_PrivateSubnetsGoOutThroughNAT(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() { s.tmpl.ResourceCountIs(str("AWS::EC2::NatGateway"), num(2)) })
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
	// Two public route tables to the internet gateway, two app route tables to a NAT each,
	// and none at all for the database subnets.
	if routes["nat"] != 2 || routes["internet"] != 2 || len(s.resources("AWS::EC2::Route")) != 4 {
		t.Errorf("routes %v, want 2 through NAT and 2 to the internet gateway, nothing else", routes)
	}

	one := synth(t, map[string]any{"natGateways": "1"})
	expect(t, func() { one.tmpl.ResourceCountIs(str("AWS::EC2::NatGateway"), num(1)) })
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
