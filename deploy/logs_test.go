package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// Every hop leaves a log with a retention: CloudFront, the ALB and the VPC's flows in the log
// bucket; the web ACL, the database and the tasks in CloudWatch Logs.
func TestLogs_EveryHopKeptForTheRetention(t *testing.T) {
	s := synth(t, map[string]any{"logRetentionDays": "30"})
	bucket := s.idOf(t, "AWS::S3::Bucket", "LogsBucket")
	expect(t, func() {
		s.tmpl.HasResource(str("AWS::S3::Bucket"), map[string]any{
			"DeletionPolicy": "Retain",
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
					map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
				}},
				"PublicAccessBlockConfiguration": map[string]any{
					"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
				},
				"OwnershipControls":      map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerPreferred"}}},
				"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{"ExpirationInDays": 30, "Status": "Enabled"}}},
			}),
		})
	})

	logging := s.distribution(t)["Logging"]
	if js(logging) != js(map[string]any{"Bucket": map[string]any{"Fn::GetAtt": []any{bucket, "RegionalDomainName"}}, "Prefix": "cloudfront/"}) {
		t.Errorf("CloudFront logging %s", js(logging))
	}
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
			"LoadBalancerAttributes": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Key": "access_logs.s3.enabled", "Value": "true"},
				map[string]any{"Key": "access_logs.s3.bucket", "Value": ref(bucket)},
				map[string]any{"Key": "access_logs.s3.prefix", "Value": "alb"},
			}),
		})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::EC2::FlowLog"), map[string]any{
			"ResourceType":       "VPC",
			"TrafficType":        "ALL",
			"LogDestinationType": "s3",
			"LogDestination": map[string]any{"Fn::Join": []any{"", []any{
				map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, "/vpc-flow/"}}},
		})
	})

	groups := map[string]any{}
	for _, r := range s.resources("AWS::Logs::LogGroup") {
		p := r["Properties"].(map[string]any)
		groups[p["LogGroupName"].(string)] = p["RetentionInDays"]
		if r["DeletionPolicy"] != "Retain" {
			t.Errorf("log group %v is deleted with the stack", p["LogGroupName"])
		}
	}
	want := []string{"/ecs/dev-cryptodash", "aws-waf-logs-dev-cryptodash",
		"/aws/rds/instance/dev-cryptodash/postgresql", "/aws/rds/instance/dev-cryptodash/upgrade"}
	for _, name := range want {
		if groups[name] != float64(30) {
			t.Errorf("log group %s kept %v days, want 30", name, groups[name])
		}
	}
	if len(groups) != len(want) {
		t.Errorf("log groups %v, want %v", sortedKeys(groups), want)
	}
}
