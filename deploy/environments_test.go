package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed env files are what `make deploy ENV=...` uses: each must be valid, and
// differ from the defaults only where it says so.
func TestEnvironments_CommittedFilesAreValid(t *testing.T) {
	cfgs, err := Environments(envDir, "", lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Config{}
	for _, c := range cfgs {
		names[c.Env] = c
	}
	prod, staging := names["prod"], names["staging"]
	if len(names) != 2 || prod.Env != "prod" || staging.Env != "staging" {
		t.Fatalf("environments %v, want prod and staging", sortedKeys(names))
	}
	if prod.Prefix() != "prod-cryptodash" || !prod.DBMultiAZ || prod.DesiredCount < 2 || !prod.WAF || !prod.VPCEndpoints {
		t.Errorf("prod %+v", prod)
	}
	if staging.DBMultiAZ || staging.DesiredCount != 1 {
		t.Errorf("staging %+v", staging)
	}
}

func TestEnvironments_OneByName(t *testing.T) {
	cfgs, err := Environments(envDir, "staging", lookup(nil))
	if err != nil || len(cfgs) != 1 || cfgs[0].Env != "staging" {
		t.Errorf("got %+v, %v; want staging alone", cfgs, err)
	}
	if _, err := Environments(envDir, "qa", lookup(nil)); err == nil || !strings.Contains(err.Error(), "env/qa.json") {
		t.Errorf("error %v, want one naming env/qa.json", err)
	}
}

func TestEnvironments_RefuseWhatWouldBeForgotten(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, values map[string]any) {
		t.Helper()
		b, _ := json.Marshal(values)
		if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("prod", map[string]any{"desiredCount": 2, "desiredCuont": 3, "env": "other"})
	_, err := Environments(dir, "", lookup(nil))
	for _, key := range []string{"desiredCuont:", "env:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not name %s", err, key)
		}
	}

	write("prod", map[string]any{"desiredCount": 2})
	_, err = Environments(dir, "prod", lookup(map[string]any{"env": "prod", "desiredCount": "3"}))
	if err == nil || !strings.Contains(err.Error(), "desiredCount: set it in") {
		t.Errorf("error %v, want desiredCount on the command line refused", err)
	}

	cfgs, err := Environments(dir, "prod", lookup(map[string]any{"env": "prod", "deploying": "true"}))
	if err == nil || !strings.Contains(err.Error(), "alarmEmail:") || len(cfgs) != 1 || !cfgs[0].Deploying {
		t.Errorf("deploying without an alarm e-mail: %+v, %v", cfgs, err)
	}
}
