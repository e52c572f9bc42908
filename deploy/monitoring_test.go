package main

import "testing"

func TestMonitoring_AlarmsNotifyTheTopic(t *testing.T) {
	s := synth(t, nil)
	topic := s.idOf(t, "AWS::SNS::Topic", "MonitoringAlarms")
	byMetric := map[string]map[string]any{}
	for id, r := range s.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		if js(p["AlarmActions"]) != js([]any{ref(topic)}) {
			t.Errorf("alarm %s notifies %s, want the topic", id, js(p["AlarmActions"]))
		}
		name, _ := p["MetricName"].(string)
		if name == "" { // a metric-math alarm: name it by the metrics it adds up
			for _, m := range p["Metrics"].([]any) {
				if stat, ok := m.(map[string]any)["MetricStat"].(map[string]any); ok {
					name += stat["Metric"].(map[string]any)["MetricName"].(string) + "+"
				}
			}
		}
		byMetric[name] = p
	}
	for metric, namespace := range map[string]string{
		"HTTPCode_ELB_5XX_Count+HTTPCode_Target_5XX_Count+": "",
		"UnHealthyHostCount":    "AWS/ApplicationELB",
		"TargetResponseTime":    "AWS/ApplicationELB",
		"CPUUtilization":        "AWS/RDS",
		"FreeStorageSpace":      "AWS/RDS",
		"FailedInvocations":     "AWS/Events",
		"FetchRunsNotSucceeded": "Cryptodash",
		"CronUnauthorized":      "Cryptodash",
	} {
		p, ok := byMetric[metric]
		if !ok {
			t.Errorf("no alarm on %s; alarms on %v", metric, sortedKeys(byMetric))
			continue
		}
		if namespace != "" && p["Namespace"] != namespace {
			t.Errorf("alarm on %s in %v, want %s", metric, p["Namespace"], namespace)
		}
	}
	if len(byMetric) != 8 {
		t.Errorf("%d alarms, want 8", len(byMetric))
	}
}

func TestMonitoring_LogMetricsMatchTheServersLogLines(t *testing.T) {
	s := synth(t, nil)
	logs := s.idOf(t, "AWS::Logs::LogGroup", "ServiceLogs")
	want := map[string]string{
		"FetchRunsNotSucceeded": `{ ($.msg = "fetch run finished") && (($.status = "failed") || ($.status = "partial")) }`,
		"CronUnauthorized":      `{ ($.msg = "http request") && (($.route = "/api/cron/fetch-data") || ($.route = "/api/cron/runs/:id")) && ($.status = 401) }`,
	}
	got := map[string]string{}
	for _, r := range s.resources("AWS::Logs::MetricFilter") {
		p := r["Properties"].(map[string]any)
		if js(p["LogGroupName"]) != js(ref(logs)) {
			t.Errorf("metric filter on %s, want the service's logs", js(p["LogGroupName"]))
		}
		m := p["MetricTransformations"].([]any)[0].(map[string]any)
		got[m["MetricName"].(string)] = p["FilterPattern"].(string)
	}
	for name, pattern := range want {
		if got[name] != pattern {
			t.Errorf("filter for %s is %q, want %q", name, got[name], pattern)
		}
	}
}

func TestMonitoring_EmailSubscriptionWhenGiven(t *testing.T) {
	expect(t, func() { synth(t, nil).tmpl.ResourceCountIs(str("AWS::SNS::Subscription"), num(0)) })
	s := synth(t, withDomain)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::SNS::Subscription"), map[string]any{
			"Protocol": "email",
			"Endpoint": "ops@example.com",
			"TopicArn": ref(s.idOf(t, "AWS::SNS::Topic", "MonitoringAlarms")),
		})
	})
}

func TestMonitoring_Dashboard(t *testing.T) {
	expect(t, func() { synth(t, nil).tmpl.ResourceCountIs(str("AWS::CloudWatch::Dashboard"), num(1)) })
}
