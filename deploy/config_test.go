package main

import (
	"strings"
	"testing"
)

func lookup(values map[string]any) func(string) any {
	return func(key string) any { return values[key] }
}

func TestConfig_DefaultsAreTheSeedsSystemOnGraviton(t *testing.T) {
	c, err := configFrom(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c != DefaultConfig() {
		t.Errorf("got %+v", c)
	}
	if c.Region != "us-east-1" || c.DesiredCount != 2 || c.MaxCount != 4 || c.CPU != 512 || c.MemoryMiB != 1024 || !c.ARM64 ||
		c.DBInstanceClass != "t4g.micro" || c.DBStorageGiB != 20 || !c.DBMultiAZ || c.NatGateways != 1 || !c.VPCEndpoints ||
		!c.WAF || c.WAFRateLimit != 1000 || c.LogRetentionDays != 90 || c.CoinGeckoPlan != "demo" || c.CoinGeckoRateLimit != 30 {
		t.Errorf("defaults %+v", c)
	}
	if c.Prefix() != "dev-cryptodash" {
		t.Errorf("prefix %q, want dev-cryptodash", c.Prefix())
	}
}

func TestConfig_ValuesFromCLIAndFromCDKJSON(t *testing.T) {
	// `-c key=value` gives strings; cdk.json gives JSON numbers and booleans.
	for name, values := range map[string]map[string]any{
		"cli":      {"desiredCount": "3", "maxCount": "5", "waf": "false", "dbStorageGiB": "40"},
		"cdk.json": {"desiredCount": float64(3), "maxCount": float64(5), "waf": false, "dbStorageGiB": float64(40)},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := configFrom(lookup(values))
			if err != nil {
				t.Fatal(err)
			}
			if c.DesiredCount != 3 || c.MaxCount != 5 || c.WAF || c.DBStorageGiB != 40 {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestConfig_RefusesWhatWouldFailToDeploy(t *testing.T) {
	for name, tc := range map[string]struct {
		values map[string]any
		key    string
	}{
		"not a number":                        {map[string]any{"desiredCount": "two"}, "desiredCount"},
		"max below desired":                   {map[string]any{"desiredCount": "3", "maxCount": "2"}, "maxCount"},
		"no such Fargate size":                {map[string]any{"cpu": "512", "memoryMiB": "512"}, "memoryMiB"},
		"db. prefix":                          {map[string]any{"dbInstanceClass": "db.t3.micro"}, "dbInstanceClass"},
		"storage under RDS's minimum":         {map[string]any{"dbStorageGiB": "10"}, "dbStorageGiB"},
		"unknown plan":                        {map[string]any{"coingeckoPlan": "enterprise"}, "coingeckoPlan"},
		"bad e-mail":                          {map[string]any{"alarmEmail": "ops"}, "alarmEmail"},
		"not a prefix list":                   {map[string]any{"originPrefixListId": "sg-123"}, "originPrefixListId"},
		"WAF outside us-east-1":               {map[string]any{"region": "eu-west-1"}, "webAclArn"},
		"domain without certificate or zone":  {map[string]any{"domainName": "dash.example.com"}, "certificateArn"},
		"zone id without name":                {map[string]any{"domainName": "dash.example.com", "hostedZoneId": "Z1"}, "hostedZoneName"},
		"domain outside the zone":             {map[string]any{"domainName": "dash.example.org", "hostedZoneId": "Z1", "hostedZoneName": "example.com"}, "domainName"},
		"viewer certificate not in us-east-1": {map[string]any{"domainName": "d.example.com", "certificateArn": "arn:aws:acm:eu-west-1:1:certificate/x"}, "certificateArn"},
		"no origin certificate elsewhere": {map[string]any{
			"region": "eu-west-1", "waf": "false", "domainName": "d.example.com",
			"certificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
		}, "originCertificateArn"},
		"certificate without domain":  {map[string]any{"certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}, "certificateArn"},
		"env with capitals":           {map[string]any{"env": "Prod"}, "env"},
		"no such log retention":       {map[string]any{"logRetentionDays": "42"}, "logRetentionDays"},
		"WAF rate limit too low":      {map[string]any{"wafRateLimit": "10"}, "wafRateLimit"},
		"no NAT gateway":              {map[string]any{"natGateways": "0"}, "natGateways"},
		"rotation of a year and more": {map[string]any{"dbPasswordRotationDays": "400"}, "dbPasswordRotationDays"},
		"deploying, alarms to nobody": {map[string]any{"deploying": "true", "domainName": "d.example.com",
			"certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}, "alarmEmail"},
		"deploying, viewers on TLS 1.0": {map[string]any{"deploying": "true", "alarmEmail": "ops@example.com"}, "domainName"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := configFrom(lookup(tc.values))
			if err == nil || !strings.Contains(err.Error(), tc.key+":") {
				t.Errorf("error %v, want one naming %s", err, tc.key)
			}
		})
	}
}

func TestConfig_ReportsEveryProblemAtOnce(t *testing.T) {
	_, err := configFrom(lookup(map[string]any{"desiredCount": "0", "coingeckoPlan": "x", "logLevel": "loud"}))
	for _, key := range []string{"desiredCount:", "coingeckoPlan:", "logLevel:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not name %s", err, key)
		}
	}
}

func TestConfig_DeployingWithAlarmsAndADomain(t *testing.T) {
	_, err := configFrom(lookup(map[string]any{"deploying": "true", "alarmEmail": "ops@example.com",
		"domainName": "d.example.com", "certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}))
	if err != nil {
		t.Error(err)
	}
}
