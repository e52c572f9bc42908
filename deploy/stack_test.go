package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// synthesis is one synthesised cloud assembly: the stack's template for CDK's assertions, the
// same template as plain JSON for walking, and the directory the app wrote.
type synthesis struct {
	tmpl assertions.Template
	raw  map[string]any
	dir  string
}

// synthesised caches assemblies by context: a synthesis takes seconds, and most tests read
// the default one.
var synthesised = map[string]*synthesis{}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range synthesised {
		os.RemoveAll(s.dir)
	}
	jsii.Close()
	os.Exit(code)
}

// synth synthesises the app as `cdk synth` would, with cdk.json's context (the feature flags)
// plus extra, and fails the test if the context is refused.
func synth(t *testing.T, extra map[string]any) *synthesis {
	t.Helper()
	key, _ := json.Marshal(extra)
	if s, ok := synthesised[string(key)]; ok {
		return s
	}
	ctx := cdkJSONContext(t)
	for k, v := range extra {
		ctx[k] = v
	}
	dir, err := os.MkdirTemp("", "cdk.out-")
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir)})
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		t.Fatalf("context %s: %v", key, err)
	}
	NewStack(app, "Cryptodash", cfg)
	// The report goes to the temporary output directory, never into the repository, whose
	// root is the image's build context.
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Reports:       jsii.Bool(true),
		ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_JSON},
	}), nil)
	app.Synth(nil)

	b, err := os.ReadFile(filepath.Join(dir, "Cryptodash.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	s := &synthesis{tmpl: assertions.Template_FromJSON(&raw, nil), raw: raw, dir: dir}
	synthesised[string(key)] = s
	return s
}

func cdkJSONContext(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		t.Fatal(err)
	}
	return cdkJSON.Context
}

// expect runs a CDK assertion, which panics on a mismatch, as a test failure.
func expect(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Error(r)
		}
	}()
	assertion()
}

// resources returns the template's resources of type typ by logical id.
func (s *synthesis) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.raw["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// only returns the one resource of type typ, failing the test if there is not exactly one.
func (s *synthesis) only(t *testing.T, typ string) (string, map[string]any) {
	t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	for id, r := range rs {
		return id, r["Properties"].(map[string]any)
	}
	panic("unreachable")
}

// idOf returns the logical id of the one resource of type typ whose id starts with prefix.
func (s *synthesis) idOf(t *testing.T, typ, prefix string) string {
	t.Helper()
	var ids []string
	for id := range s.resources(typ) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("resources of type %s starting %q: %v, want one", typ, prefix, ids)
	}
	return ids[0]
}

// countByType counts the resources of every type.
func (s *synthesis) countByType() map[string]int {
	counts := map[string]int{}
	for _, r := range s.raw["Resources"].(map[string]any) {
		counts[r.(map[string]any)["Type"].(string)]++
	}
	return counts
}

// js renders a JSON value compactly, for comparisons and messages.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ref is CloudFormation's {"Ref": id}.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }

// dynamicReference is how CDK writes a reference to a whole secret's value.
func dynamicReference(secretID string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{"{{resolve:secretsmanager:", ref(secretID), ":SecretString:::}}"}}}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestStack_SynthesisesWithoutLookups(t *testing.T) {
	s := synth(t, nil)
	b, err := os.ReadFile(filepath.Join(s.dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	if missing, ok := manifest["missing"]; ok {
		t.Errorf("synthesis needs context lookups (an AWS account): %s", js(missing))
	}
	for _, a := range manifest["artifacts"].(map[string]any) {
		if env, _ := a.(map[string]any)["environment"].(string); env != "" && env != "aws://unknown-account/us-east-1" {
			t.Errorf("environment %s, want the account left open in us-east-1", env)
		}
	}
}

// TestStack_ResourceCounts pins what the default stack creates, so that a change to it is a
// visible, reviewed change to this table.
func TestStack_ResourceCounts(t *testing.T) {
	want := map[string]int{
		"AWS::ApplicationAutoScaling::ScalableTarget": 1,
		"AWS::ApplicationAutoScaling::ScalingPolicy":  1,
		"AWS::CloudFront::CachePolicy":                1,
		"AWS::CloudFront::Distribution":               1,
		"AWS::CloudFront::OriginRequestPolicy":        2,
		"AWS::CloudFront::VpcOrigin":                  1,
		"AWS::CloudWatch::Alarm":                      11,
		"AWS::CloudWatch::Dashboard":                  1,
		"AWS::EC2::EIP":                               1,
		"AWS::EC2::FlowLog":                           1,
		"AWS::EC2::InternetGateway":                   1,
		"AWS::EC2::NatGateway":                        1,
		"AWS::EC2::Route":                             4,
		"AWS::EC2::RouteTable":                        6,
		"AWS::EC2::SecurityGroup":                     8,
		"AWS::EC2::SecurityGroupEgress":               6,
		"AWS::EC2::SecurityGroupIngress":              9,
		"AWS::EC2::Subnet":                            6,
		"AWS::EC2::SubnetRouteTableAssociation":       6,
		"AWS::EC2::VPC":                               1,
		"AWS::EC2::VPCEndpoint":                       5,
		"AWS::EC2::VPCGatewayAttachment":              1,
		"AWS::ECS::Cluster":                           1,
		"AWS::ECS::Service":                           1,
		"AWS::ECS::TaskDefinition":                    1,
		"AWS::ElasticLoadBalancingV2::Listener":       1,
		"AWS::ElasticLoadBalancingV2::ListenerRule":   1,
		"AWS::ElasticLoadBalancingV2::LoadBalancer":   1,
		"AWS::ElasticLoadBalancingV2::TargetGroup":    1,
		"AWS::Events::ApiDestination":                 1,
		"AWS::Events::Connection":                     1,
		"AWS::Events::Rule":                           1,
		"AWS::IAM::Policy":                            3,
		"AWS::IAM::Role":                              4,
		"AWS::Lambda::Function":                       1,
		"AWS::Logs::LogGroup":                         4,
		"AWS::Logs::MetricFilter":                     3,
		"AWS::RDS::DBInstance":                        1,
		"AWS::RDS::DBParameterGroup":                  1,
		"AWS::RDS::DBSubnetGroup":                     1,
		"AWS::S3::Bucket":                             1,
		"AWS::S3::BucketPolicy":                       1,
		"AWS::SNS::Topic":                             1,
		"AWS::SNS::TopicPolicy":                       1,
		"AWS::SQS::Queue":                             1,
		"AWS::SQS::QueuePolicy":                       1,
		"AWS::SecretsManager::Secret":                 4,
		"AWS::SecretsManager::ResourcePolicy":         1,
		"AWS::SecretsManager::RotationSchedule":       1,
		"AWS::SecretsManager::SecretTargetAttachment": 1,
		"AWS::Serverless::Application":                1,
		"AWS::WAFv2::LoggingConfiguration":            1,
		"AWS::WAFv2::WebACL":                          1,
		"Custom::VpcRestrictDefaultSG":                1,
	}
	got := synth(t, nil).countByType()
	for _, typ := range sortedKeys(got) {
		if got[typ] != want[typ] {
			t.Errorf("%d × %s, want %d", got[typ], typ, want[typ])
		}
	}
	for _, typ := range sortedKeys(want) {
		if _, ok := got[typ]; !ok {
			t.Errorf("no %s, want %d", typ, want[typ])
		}
	}
}

func str(s string) *string   { return &s }
func num(n float64) *float64 { return &n }
