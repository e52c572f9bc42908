package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nagFinding is one line of cdk-nag's JSON report.
type nagFinding struct {
	RuleID          string `json:"ruleId"`
	ResourceID      string `json:"resourceId"`
	Compliance      string `json:"compliance"`
	ExceptionReason string `json:"exceptionReason"`
	RuleLevel       string `json:"ruleLevel"`
	RuleInfo        string `json:"ruleInfo"`
}

// nagReport reads the AwsSolutions report cdk-nag wrote for the stack.
func (s *synthesis) nagReport(t *testing.T) []nagFinding {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(s.dir, "AwsSolutions-*-NagReport.json"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("cdk-nag reports %v (%v), want one", paths, err)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Lines []nagFinding `json:"lines"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	return report.Lines
}

func TestStack_NagAwsSolutions(t *testing.T) {
	for name, ctx := range map[string]map[string]any{"default": nil, "domain": withDomain} {
		t.Run(name, func(t *testing.T) {
			for _, f := range synth(t, ctx).nagReport(t) {
				if f.Compliance == "Non-Compliant" {
					t.Errorf("%s %s on %s: %s", f.RuleLevel, f.RuleID, f.ResourceID, f.RuleInfo)
				}
			}
		})
	}
}

// Each committed environment, as `make deploy` would build it, is clean too, and every name
// it gives starts with its prefix.
func TestStack_EnvironmentsNagCleanAndPrefixed(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(envDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("env files %v (%v)", paths, err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string]any{}
			if err := json.Unmarshal(b, &values); err != nil {
				t.Fatal(err)
			}
			values["env"] = name
			s := synth(t, values)
			for _, f := range s.nagReport(t) {
				if f.Compliance == "Non-Compliant" {
					t.Errorf("%s %s on %s: %s", f.RuleLevel, f.RuleID, f.ResourceID, f.RuleInfo)
				}
			}
			prefix := name + "-cryptodash"
			for typ, key := range map[string]string{
				"AWS::SecretsManager::Secret": "Name",
				"AWS::RDS::DBInstance":        "DBInstanceIdentifier",
				"AWS::ECS::Cluster":           "ClusterName",
				"AWS::CloudWatch::Alarm":      "AlarmName",
				"AWS::SNS::Topic":             "TopicName",
				"AWS::WAFv2::WebACL":          "Name",
				"AWS::CloudWatch::Dashboard":  "DashboardName",
			} {
				for id, r := range s.resources(typ) {
					if v, _ := r["Properties"].(map[string]any)[key].(string); !strings.HasPrefix(v, prefix) {
						t.Errorf("%s %s is %q, want a name starting %s", typ, id, v, prefix)
					}
				}
			}
			for id, r := range s.resources("AWS::Logs::LogGroup") {
				if v := r["Properties"].(map[string]any)["LogGroupName"].(string); !strings.Contains(v, prefix) {
					t.Errorf("log group %s is %q, want one naming %s", id, v, prefix)
				}
			}
		})
	}
}
