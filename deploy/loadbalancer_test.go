package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// withDomain is a custom domain whose zone is in Route 53, in us-east-1, with an alarm e-mail.
var withDomain = map[string]any{
	"domainName":     "dash.example.com",
	"hostedZoneId":   "Z0123456789EXAMPLE",
	"hostedZoneName": "example.com",
	"alarmEmail":     "ops@example.com",
}

// elsewhere is another region, with the certificates and prefix list that needs, and WAF off.
var elsewhere = map[string]any{
	"region":               "eu-west-1",
	"originPrefixListId":   "pl-4fa04526",
	"domainName":           "dash.example.com",
	"certificateArn":       "arn:aws:acm:us-east-1:111111111111:certificate/11111111-1111-1111-1111-111111111111",
	"originCertificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/22222222-2222-2222-2222-222222222222",
	"waf":                  "false",
}

// The check follows the process, not the database (internal/web/api_live.go), so a database
// failover does not make ECS replace every task.
func TestLoadBalancer_HealthCheckIsLiveness(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::TargetGroup"), map[string]any{
			"HealthCheckPath": "/api/live",
			"Matcher":         map[string]any{"HttpCode": "200"},
			"Port":            8080,
			"TargetType":      "ip",
			"TargetGroupAttributes": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
			}),
		})
	})
}

// The load balancer has no public address: internal, in the private subnets, with no
// listener a viewer could reach but through CloudFront's VPC origin.
func TestLoadBalancer_Internal(t *testing.T) {
	for name, ctx := range map[string]map[string]any{"no domain": nil, "domain": withDomain, "elsewhere": elsewhere} {
		t.Run(name, func(t *testing.T) {
			s := synth(t, ctx)
			_, alb := s.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
			if alb["Scheme"] != "internal" {
				t.Errorf("scheme %v, want internal", alb["Scheme"])
			}
			for _, id := range alb["Subnets"].([]any) {
				subnet := s.raw["Resources"].(map[string]any)[id.(map[string]any)["Ref"].(string)].(map[string]any)
				if kind := tagValue(subnet["Properties"].(map[string]any), "aws-cdk:subnet-type"); kind != "Private" {
					t.Errorf("load balancer subnet %v is %s, want Private", id, kind)
				}
			}
			for _, r := range s.resources("AWS::EC2::SecurityGroupIngress") {
				if cidr := r["Properties"].(map[string]any)["CidrIp"]; cidr != nil {
					t.Errorf("ingress from %v: nothing is open to addresses", cidr)
				}
			}
		})
	}
}

func TestLoadBalancer_OnlyCloudFrontGetsIn(t *testing.T) {
	for name, tc := range map[string]struct {
		ctx        map[string]any
		port       float64
		prefixList string
	}{
		"no domain: HTTP from CloudFront": {nil, 80, "pl-3b927c52"},
		"domain: HTTPS from CloudFront":   {withDomain, 443, "pl-3b927c52"},
		"another region's prefix list":    {elsewhere, 443, "pl-4fa04526"},
	} {
		t.Run(name, func(t *testing.T) {
			s := synth(t, tc.ctx)
			albSG := s.idOf(t, "AWS::EC2::SecurityGroup", "LoadBalancerSecurityGroup")
			sg := s.raw["Resources"].(map[string]any)[albSG].(map[string]any)["Properties"].(map[string]any)
			if sg["SecurityGroupIngress"] != nil {
				t.Errorf("load balancer has inline ingress %s", js(sg["SecurityGroupIngress"]))
			}
			var rules []map[string]any
			for _, r := range s.resources("AWS::EC2::SecurityGroupIngress") {
				p := r["Properties"].(map[string]any)
				if js(p["GroupId"]) == js(map[string]any{"Fn::GetAtt": []any{albSG, "GroupId"}}) {
					rules = append(rules, p)
				}
			}
			if len(rules) != 1 || rules[0]["SourcePrefixListId"] != tc.prefixList || rules[0]["FromPort"] != tc.port || rules[0]["ToPort"] != tc.port {
				t.Errorf("load balancer ingress %s, want only port %v from %s", js(rules), tc.port, tc.prefixList)
			}

			// Anyone else sharing CloudFront's addresses gets a 403 without the secret header.
			expect(t, func() {
				s.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
					"Port": tc.port,
					"DefaultActions": []any{map[string]any{
						"Type":                "fixed-response",
						"FixedResponseConfig": assertions.Match_ObjectLike(&map[string]any{"StatusCode": "403"}),
					}},
				})
			})
			expect(t, func() {
				s.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::ListenerRule"), map[string]any{
					"Conditions": []any{map[string]any{
						"Field": "http-header",
						"HttpHeaderConfig": map[string]any{
							"HttpHeaderName": "X-Origin-Verify",
							"Values":         []any{dynamicReference(s.idOf(t, "AWS::SecretsManager::Secret", "SecretsOriginVerify"))},
						},
					}},
					"Actions": []any{map[string]any{
						"Type":           "forward",
						"TargetGroupArn": ref(s.idOf(t, "AWS::ElasticLoadBalancingV2::TargetGroup", "LoadBalancerTargets")),
					}},
				})
			})
		})
	}
}

func TestLoadBalancer_HTTPSWithCertificateWhenADomainIsGiven(t *testing.T) {
	s := synth(t, withDomain)
	cert := s.idOf(t, "AWS::CertificateManager::Certificate", "DomainCertificate")
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port":         443,
			"Protocol":     "HTTPS",
			"Certificates": []any{map[string]any{"CertificateArn": ref(cert)}},
		})
	})
	expect(t, func() { s.tmpl.ResourceCountIs(str("AWS::ElasticLoadBalancingV2::Listener"), num(1)) })

	other := synth(t, elsewhere)
	expect(t, func() {
		other.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Certificates": []any{map[string]any{"CertificateArn": elsewhere["originCertificateArn"]}},
		})
	})
}
