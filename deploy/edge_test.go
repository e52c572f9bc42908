package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// Managed CloudFront policies, by the ids CloudFormation uses.
const (
	cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cachingDisabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
)

// distribution returns the DistributionConfig of the stack's one distribution.
func (s *synthesis) distribution(t *testing.T) map[string]any {
	t.Helper()
	_, p := s.only(t, "AWS::CloudFront::Distribution")
	return p["DistributionConfig"].(map[string]any)
}

// behaviors maps each path pattern to its cache behaviour.
func behaviors(config map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, b := range config["CacheBehaviors"].([]any) {
		b := b.(map[string]any)
		out[b["PathPattern"].(string)] = b
	}
	return out
}

func TestEdge_StaticCachedAYear(t *testing.T) {
	s := synth(t, nil)
	static := behaviors(s.distribution(t))["/static/*"]
	if static == nil || static["CachePolicyId"] != cachingOptimized || static["Compress"] != true {
		t.Errorf("/static/* behaviour %s, want CachingOptimized (honours max-age up to a year) with compression", js(static))
	}
}

func TestEdge_PagesCachedPerOriginWithTheKnownQueryParameters(t *testing.T) {
	s := synth(t, nil)
	known := map[string]any{"QueryStringBehavior": "whitelist", "QueryStrings": toAny(cachedQueryParams)}
	def := s.distribution(t)["DefaultCacheBehavior"].(map[string]any)
	pages := s.idOf(t, "AWS::CloudFront::CachePolicy", "EdgePages")
	viewerAddress := s.idOf(t, "AWS::CloudFront::OriginRequestPolicy", "EdgeViewerAddress")
	if js(def["CachePolicyId"]) != js(ref(pages)) || js(def["OriginRequestPolicyId"]) != js(ref(viewerAddress)) ||
		def["Compress"] != true || def["ViewerProtocolPolicy"] != "redirect-to-https" || js(def["AllowedMethods"]) != `["GET","HEAD"]` {
		t.Errorf("default behaviour %s", js(def))
	}
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::CloudFront::CachePolicy"), map[string]any{"CachePolicyConfig": assertions.Match_ObjectLike(&map[string]any{
			"DefaultTTL": 0, // only what the server marks cacheable (s-maxage) is kept
			"MinTTL":     0,
			"ParametersInCacheKeyAndForwardedToOrigin": map[string]any{
				"QueryStringsConfig":         known,
				"HeadersConfig":              map[string]any{"HeaderBehavior": "none"},
				"CookiesConfig":              map[string]any{"CookieBehavior": "none"},
				"EnableAcceptEncodingGzip":   true,
				"EnableAcceptEncodingBrotli": true,
			},
		})})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::CloudFront::OriginRequestPolicy"), map[string]any{"OriginRequestPolicyConfig": assertions.Match_ObjectLike(&map[string]any{
			"HeadersConfig":      map[string]any{"HeaderBehavior": "whitelist", "Headers": []any{"CloudFront-Viewer-Address", "CloudFront-Forwarded-Proto"}},
			"CookiesConfig":      map[string]any{"CookieBehavior": "whitelist", "Cookies": []any{"cryptodash_session"}},
			"QueryStringsConfig": known,
		})})
	})
}

func toAny(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

func TestEdge_OperationalRoutesNeverCached(t *testing.T) {
	s := synth(t, nil)
	all := behaviors(s.distribution(t))
	allViewer := s.idOf(t, "AWS::CloudFront::OriginRequestPolicy", "EdgeAllViewer")
	for _, path := range uncachedPaths {
		b := all[path]
		if b == nil {
			t.Errorf("no behaviour for %s", path)
			continue
		}
		if b["CachePolicyId"] != cachingDisabled || js(b["OriginRequestPolicyId"]) != js(ref(allViewer)) ||
			len(b["AllowedMethods"].([]any)) != 7 {
			t.Errorf("%s behaviour %s, want CachingDisabled, every viewer header (Authorization among them) and all methods", path, js(b))
		}
	}
	// An origin request policy may not name Authorization; forwarding every viewer header
	// is what carries it to the server.
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::CloudFront::OriginRequestPolicy"), map[string]any{"OriginRequestPolicyConfig": assertions.Match_ObjectLike(&map[string]any{
			"HeadersConfig":      map[string]any{"HeaderBehavior": "allViewerAndWhitelistCloudFront", "Headers": []any{"CloudFront-Viewer-Address", "CloudFront-Forwarded-Proto"}},
			"CookiesConfig":      map[string]any{"CookieBehavior": "all"},
			"QueryStringsConfig": map[string]any{"QueryStringBehavior": "all"},
		})})
	})
}

// CloudFront reaches the internal load balancer through a VPC origin, never over the
// internet: HTTP inside the VPC without a domain, TLS 1.2 to the origin name with one.
func TestEdge_VPCOriginWithTheSecretHeader(t *testing.T) {
	for name, tc := range map[string]struct {
		ctx      map[string]any
		protocol string
		domain   any
	}{
		"no domain: HTTP inside the VPC":   {nil, "http-only", nil},
		"domain: HTTPS to the origin name": {withDomain, "https-only", "origin.dash.example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			s := synth(t, tc.ctx)
			origins := s.distribution(t)["Origins"].([]any)
			if len(origins) != 1 {
				t.Fatalf("%d origins, want the load balancer only", len(origins))
			}
			o := origins[0].(map[string]any)
			headers := js(o["OriginCustomHeaders"])
			want := js([]any{map[string]any{"HeaderName": "X-Origin-Verify", "HeaderValue": dynamicReference(s.idOf(t, "AWS::SecretsManager::Secret", "SecretsOriginVerify"))}})
			if headers != want {
				t.Errorf("origin headers %s, want %s", headers, want)
			}
			if o["CustomOriginConfig"] != nil || o["S3OriginConfig"] != nil {
				t.Errorf("origin %s is not a VPC origin only", js(o))
			}
			vpcOrigin := s.idOf(t, "AWS::CloudFront::VpcOrigin", "EdgeDistributionOrigin1VpcOrigin")
			if got := js(o["VpcOriginConfig"]); got != js(map[string]any{"VpcOriginId": map[string]any{"Fn::GetAtt": []any{vpcOrigin, "Id"}}}) {
				t.Errorf("origin's VPC origin %s", got)
			}
			alb := s.idOf(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerAlb")
			expect(t, func() {
				s.tmpl.HasResourceProperties(str("AWS::CloudFront::VpcOrigin"), map[string]any{
					"VpcOriginEndpointConfig": assertions.Match_ObjectLike(&map[string]any{
						"Arn":                  ref(alb),
						"Name":                 "dev-cryptodash",
						"OriginProtocolPolicy": tc.protocol,
						"OriginSSLProtocols":   []any{"TLSv1.2"},
					}),
				})
			})
			if tc.domain != nil && o["DomainName"] != tc.domain {
				t.Errorf("origin %v, want %v", o["DomainName"], tc.domain)
			}
		})
	}
}

func TestEdge_WAFWithManagedRules(t *testing.T) {
	s := synth(t, nil)
	acl := s.idOf(t, "AWS::WAFv2::WebACL", "EdgeWebAcl")
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::WAFv2::WebACL"), map[string]any{
			"Scope":         "CLOUDFRONT",
			"DefaultAction": map[string]any{"Allow": map[string]any{}},
			"Name":          "dev-cryptodash",
			"Rules": assertions.Match_ArrayWith(&[]any{
				// First, a client address over the configured rate is blocked.
				assertions.Match_ObjectLike(&map[string]any{
					"Priority": 0,
					"Action":   map[string]any{"Block": map[string]any{}},
					"Statement": map[string]any{"RateBasedStatement": map[string]any{
						"Limit": 1000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300,
					}},
				}),
				assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": "AWSManagedRulesAmazonIpReputationList"}}}),
				assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}}),
				assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}}}),
				assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet"}}}),
			}),
		})
	})
	// The web ACL logs to a group named as WAF requires, kept as configured.
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::Logs::LogGroup"), map[string]any{
			"LogGroupName": "aws-waf-logs-dev-cryptodash", "RetentionInDays": 90,
		})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::WAFv2::LoggingConfiguration"), map[string]any{
			"ResourceArn": map[string]any{"Fn::GetAtt": []any{acl, "Arn"}},
			"LogDestinationConfigs": []any{map[string]any{"Fn::Join": []any{"", []any{
				"arn:aws:logs:us-east-1:", map[string]any{"Ref": "AWS::AccountId"}, ":log-group:aws-waf-logs-dev-cryptodash"}}}},
		})
	})
	limited := synth(t, map[string]any{"wafRateLimit": "300"})
	expect(t, func() {
		limited.tmpl.HasResourceProperties(str("AWS::WAFv2::WebACL"), map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{"RateBasedStatement": assertions.Match_ObjectLike(&map[string]any{"Limit": 300})}}),
		})})
	})
	if id := js(s.distribution(t)["WebACLId"]); id != js(map[string]any{"Fn::GetAtt": []any{acl, "Arn"}}) {
		t.Errorf("distribution web ACL %s, want %s", id, acl)
	}

	off := synth(t, map[string]any{"waf": "false"})
	expect(t, func() { off.tmpl.ResourceCountIs(str("AWS::WAFv2::WebACL"), num(0)) })
	expect(t, func() { off.tmpl.ResourceCountIs(str("AWS::WAFv2::LoggingConfiguration"), num(0)) })
	if id, ok := off.distribution(t)["WebACLId"]; ok {
		t.Errorf("waf=false still sets WebACLId %s", js(id))
	}

	given := synth(t, map[string]any{"webAclArn": "arn:aws:wafv2:us-east-1:111111111111:global/webacl/shared/abc"})
	expect(t, func() { given.tmpl.ResourceCountIs(str("AWS::WAFv2::WebACL"), num(0)) })
	if id := given.distribution(t)["WebACLId"]; id != "arn:aws:wafv2:us-east-1:111111111111:global/webacl/shared/abc" {
		t.Errorf("web ACL %v, want the one given", id)
	}
}

func TestEdge_CustomDomain(t *testing.T) {
	s := synth(t, withDomain)
	config := s.distribution(t)
	cert := s.idOf(t, "AWS::CertificateManager::Certificate", "DomainCertificate")
	if js(config["Aliases"]) != `["dash.example.com"]` {
		t.Errorf("aliases %s", js(config["Aliases"]))
	}
	vc := config["ViewerCertificate"].(map[string]any)
	if js(vc["AcmCertificateArn"]) != js(ref(cert)) || vc["MinimumProtocolVersion"] != "TLSv1.2_2021" || vc["SslSupportMethod"] != "sni-only" {
		t.Errorf("viewer certificate %s", js(vc))
	}
	// One certificate for both names: the uncached behaviours forward Host, so the load
	// balancer must show a certificate for the viewer's name too.
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::CertificateManager::Certificate"), map[string]any{
			"DomainName":              "dash.example.com",
			"SubjectAlternativeNames": []any{"origin.dash.example.com"},
			"ValidationMethod":        "DNS",
		})
	})
	records := map[string]string{}
	for _, r := range s.resources("AWS::Route53::RecordSet") {
		p := r["Properties"].(map[string]any)
		if p["HostedZoneId"] != withDomain["hostedZoneId"] {
			t.Errorf("record %v in zone %v", p["Name"], p["HostedZoneId"])
		}
		records[p["Type"].(string)+" "+p["Name"].(string)] = js(p["AliasTarget"].(map[string]any)["DNSName"])
	}
	for name, target := range map[string]string{
		"A dash.example.com.":        "EdgeDistribution",
		"AAAA dash.example.com.":     "EdgeDistribution",
		"A origin.dash.example.com.": "LoadBalancerAlb",
	} {
		if !strings.Contains(records[name], `"`+target) {
			t.Errorf("record %s points at %s, want an alias to %s", name, records[name], target)
		}
	}
	if len(records) != 3 {
		t.Errorf("records %v, want the three above", sortedKeys(records))
	}

	other := synth(t, elsewhere)
	if arn := other.distribution(t)["ViewerCertificate"].(map[string]any)["AcmCertificateArn"]; arn != elsewhere["certificateArn"] {
		t.Errorf("viewer certificate %v, want the us-east-1 one given", arn)
	}
	expect(t, func() { other.tmpl.ResourceCountIs(str("AWS::Route53::RecordSet"), num(0)) })
}

// Viewers' HTTP is redirected at CloudFront, the only way in; the load balancer behind it
// takes CloudFront alone, over HTTPS when there is a domain.
func TestEdge_ViewersRedirectedToHTTPS(t *testing.T) {
	for name, ctx := range map[string]map[string]any{"no domain": nil, "domain": withDomain} {
		t.Run(name, func(t *testing.T) {
			config := synth(t, ctx).distribution(t)
			all := []any{config["DefaultCacheBehavior"]}
			all = append(all, config["CacheBehaviors"].([]any)...)
			for _, b := range all {
				b := b.(map[string]any)
				if b["ViewerProtocolPolicy"] != "redirect-to-https" {
					t.Errorf("behaviour %v: viewer protocol %v, want redirect-to-https", b["PathPattern"], b["ViewerProtocolPolicy"])
				}
			}
		})
	}
}
