package main

import "testing"

func TestSchedule_DailyAt0200UTCWithRetriesAndDeadLetters(t *testing.T) {
	s := synth(t, nil)
	dest := s.idOf(t, "AWS::Events::ApiDestination", "ScheduleDestination")
	dlq := s.idOf(t, "AWS::SQS::Queue", "ScheduleDeadLetters")
	_, rule := s.only(t, "AWS::Events::Rule")
	if rule["ScheduleExpression"] != "cron(0 2 * * ? *)" {
		t.Errorf("schedule %v, want cron(0 2 * * ? *)", rule["ScheduleExpression"])
	}
	targets := rule["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("%d targets, want the API destination", len(targets))
	}
	target := targets[0].(map[string]any)
	if js(target["Arn"]) != js(map[string]any{"Fn::GetAtt": []any{dest, "Arn"}}) {
		t.Errorf("target %s, want the API destination", js(target["Arn"]))
	}
	if js(target["DeadLetterConfig"]) != js(map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{dlq, "Arn"}}}) {
		t.Errorf("dead-letter config %s, want the queue", js(target["DeadLetterConfig"]))
	}
	retry, _ := target["RetryPolicy"].(map[string]any)
	if n, _ := retry["MaximumRetryAttempts"].(float64); n < 1 {
		t.Errorf("retry policy %s, want retries", js(retry))
	}
}

func TestSchedule_PostsTheCronEndpointThroughCloudFront(t *testing.T) {
	s := synth(t, nil)
	dist := s.idOf(t, "AWS::CloudFront::Distribution", "EdgeDistribution")
	_, dest := s.only(t, "AWS::Events::ApiDestination")
	want := js(map[string]any{"Fn::Join": []any{"", []any{"https://", map[string]any{"Fn::GetAtt": []any{dist, "DomainName"}}, "/api/cron/fetch-data"}}})
	if dest["HttpMethod"] != "POST" || js(dest["InvocationEndpoint"]) != want {
		t.Errorf("destination %s %s, want POST %s", dest["HttpMethod"], js(dest["InvocationEndpoint"]), want)
	}

	named := synth(t, withDomain)
	_, dest = named.only(t, "AWS::Events::ApiDestination")
	if dest["InvocationEndpoint"] != "https://dash.example.com/api/cron/fetch-data" {
		t.Errorf("destination %s, want the custom domain", js(dest["InvocationEndpoint"]))
	}
}

// The connection sends the very secret the tasks read as CRON_SECRET, by reference.
func TestSchedule_BearerTokenFromTheTasksSecret(t *testing.T) {
	s := synth(t, nil)
	cron := s.idOf(t, "AWS::SecretsManager::Secret", "SecretsCronSecret")
	_, conn := s.only(t, "AWS::Events::Connection")
	want := js(map[string]any{
		"AuthorizationType": "API_KEY",
		"ApiKeyName":        "Authorization",
		"ApiKeyValue":       map[string]any{"Fn::Join": []any{"", []any{"Bearer {{resolve:secretsmanager:", ref(cron), ":SecretString:::}}"}}},
	})
	got := js(map[string]any{
		"AuthorizationType": conn["AuthorizationType"],
		"ApiKeyName":        conn["AuthParameters"].(map[string]any)["ApiKeyAuthParameters"].(map[string]any)["ApiKeyName"],
		"ApiKeyValue":       conn["AuthParameters"].(map[string]any)["ApiKeyAuthParameters"].(map[string]any)["ApiKeyValue"],
	})
	if got != want {
		t.Errorf("connection %s, want %s", got, want)
	}
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	if js(secretsOf(task)["CRON_SECRET"]) != js(ref(cron)) {
		t.Errorf("tasks read CRON_SECRET from %s, not the secret EventBridge sends", js(secretsOf(task)["CRON_SECRET"]))
	}
}
