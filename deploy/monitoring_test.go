package main

import (
	"testing"
)

// alarms returns the stack's alarms by name, less the environment's prefix.
func (s *synthesis) alarms(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, r := range s.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		name, _ := p["AlarmName"].(string)
		if len(name) <= len("dev-cryptodash-") || name[:len("dev-cryptodash-")] != "dev-cryptodash-" {
			t.Errorf("alarm %s named %q, want the environment's prefix", id, name)
			continue
		}
		out[name[len("dev-cryptodash-"):]] = p
	}
	return out
}

// Each alarm is on the metric it claims, and says what a period without data means: a
// failure for the heartbeat, the task count and the database's own metrics, which AWS always
// sends; none for counts of events that happen only when something goes wrong.
func TestMonitoring_AlarmsAndTheirMissingData(t *testing.T) {
	s := synth(t, nil)
	topic := s.idOf(t, "AWS::SNS::Topic", "MonitoringAlarms")
	alarms := s.alarms(t)
	for name, want := range map[string]struct{ metric, namespace, missing string }{
		"NoSuccessfulFetch":   {"FetchRunsSucceeded", "Cryptodash", "breaching"},
		"HealthyTasksLow":     {"HealthyHostCount", "AWS/ApplicationELB", "breaching"},
		"Http5xxRate":         {"", "", "notBreaching"},
		"SlowResponses":       {"TargetResponseTime", "AWS/ApplicationELB", "notBreaching"},
		"DatabaseCpu":         {"CPUUtilization", "AWS/RDS", "breaching"},
		"DatabaseStorage":     {"FreeStorageSpace", "AWS/RDS", "breaching"},
		"DatabaseConnections": {"DatabaseConnections", "AWS/RDS", "breaching"},
		"ScheduleDeadLetters": {"ApproximateNumberOfMessagesVisible", "AWS/SQS", "notBreaching"},
		"FetchRunFailed":      {"FetchRunsNotSucceeded", "Cryptodash", "notBreaching"},
		"CronUnauthorized":    {"CronUnauthorized", "Cryptodash", "notBreaching"},
		"RequestsAnomaly":     {"", "", "notBreaching"},
	} {
		p, ok := alarms[name]
		if !ok {
			t.Errorf("no alarm %s; alarms %v", name, sortedKeys(alarms))
			continue
		}
		if p["MetricName"] != nil && (p["MetricName"] != want.metric || p["Namespace"] != want.namespace) || p["MetricName"] == nil && want.metric != "" {
			t.Errorf("%s on %v in %v, want %s in %s", name, p["MetricName"], p["Namespace"], want.metric, want.namespace)
		}
		if p["TreatMissingData"] != want.missing {
			t.Errorf("%s treats missing data as %v, want %s", name, p["TreatMissingData"], want.missing)
		}
		if js(p["AlarmActions"]) != js([]any{ref(topic)}) {
			t.Errorf("alarm %s notifies %s, want the topic", name, js(p["AlarmActions"]))
		}
	}
	if len(alarms) != 11 {
		t.Errorf("%d alarms, want 11: %v", len(alarms), sortedKeys(alarms))
	}
}

// No fetch run succeeded for 26 hours: an hour without a success is a breaching hour, so
// silence (no run, a dead schedule, a server that never logs) fires the alarm too.
func TestMonitoring_HeartbeatFiresOnSilence(t *testing.T) {
	p := synth(t, nil).alarms(t)["NoSuccessfulFetch"]
	if p["Statistic"] != "Sum" || p["Period"] != float64(3600) || p["EvaluationPeriods"] != float64(26) ||
		p["DatapointsToAlarm"] != float64(26) || p["ComparisonOperator"] != "LessThanThreshold" || p["Threshold"] != float64(1) ||
		p["TreatMissingData"] != "breaching" {
		t.Errorf("heartbeat %s", js(p))
	}
}

// 5xx are a share of the requests, computed only when there are requests, so a quiet night's
// single failed request fires it while an empty night does not; fewer live tasks than
// desired fires on its own, even when none is registered.
func TestMonitoring_5xxRateAndHealthyTasks(t *testing.T) {
	s := synth(t, map[string]any{"desiredCount": "3", "maxCount": "3"})
	alarms := s.alarms(t)
	rate := alarms["Http5xxRate"]
	var expr string
	metrics := map[string]string{}
	for _, m := range rate["Metrics"].([]any) {
		m := m.(map[string]any)
		if e, ok := m["Expression"].(string); ok {
			expr = e
			continue
		}
		metrics[m["Id"].(string)] = m["MetricStat"].(map[string]any)["Metric"].(map[string]any)["MetricName"].(string)
	}
	if expr != "IF(requests > 0, 100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)" ||
		metrics["requests"] != "RequestCount" || metrics["target"] != "HTTPCode_Target_5XX_Count" || metrics["elb"] != "HTTPCode_ELB_5XX_Count" {
		t.Errorf("5xx rate %s of %v", expr, metrics)
	}
	if rate["Threshold"] != float64(5) || rate["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
		t.Errorf("5xx rate alarm %s", js(rate))
	}
	tasks := alarms["HealthyTasksLow"]
	if tasks["Threshold"] != float64(3) || tasks["ComparisonOperator"] != "LessThanThreshold" || tasks["Statistic"] != "Minimum" {
		t.Errorf("healthy tasks alarm %s, want below desiredCount 3", js(tasks))
	}
}

func TestMonitoring_RequestAnomalyBand(t *testing.T) {
	p := synth(t, nil).alarms(t)["RequestsAnomaly"]
	var band string
	for _, m := range p["Metrics"].([]any) {
		if e, ok := m.(map[string]any)["Expression"].(string); ok {
			band = e
		}
	}
	if p["ComparisonOperator"] != "GreaterThanUpperThreshold" || band == "" || p["ThresholdMetricId"] == nil {
		t.Errorf("anomaly alarm %s", js(p))
	}
}

func TestMonitoring_LogMetricsMatchTheServersLogLines(t *testing.T) {
	s := synth(t, nil)
	logs := s.idOf(t, "AWS::Logs::LogGroup", "ServiceLogs")
	want := map[string]string{
		"FetchRunsSucceeded":    `{ ($.msg = "fetch run finished") && ($.status = "succeeded") }`,
		"FetchRunsNotSucceeded": `{ (($.msg = "fetch run finished") && ($.status = "failed")) || (($.msg = "fetch run finished") && ($.status = "partial")) }`,
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

// Without an alarm e-mail synthesis warns, and a deploy refuses (TestConfig_*).
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
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::SNS::Topic"), map[string]any{"TopicName": "dev-cryptodash-alarms"})
	})
}

func TestMonitoring_Dashboard(t *testing.T) {
	expect(t, func() {
		synth(t, nil).tmpl.HasResourceProperties(str("AWS::CloudWatch::Dashboard"), map[string]any{"DashboardName": "dev-cryptodash"})
	})
}
