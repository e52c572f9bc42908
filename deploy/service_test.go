package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// container returns the task definition's one container definition.
func container(t *testing.T, task map[string]any) map[string]any {
	t.Helper()
	defs := task["ContainerDefinitions"].([]any)
	if len(defs) != 1 {
		t.Fatalf("%d containers, want 1", len(defs))
	}
	return defs[0].(map[string]any)
}

// envOf maps the container's plain environment variables to their values.
func envOf(task map[string]any) map[string]any {
	env := map[string]any{}
	for _, e := range task["ContainerDefinitions"].([]any)[0].(map[string]any)["Environment"].([]any) {
		e := e.(map[string]any)
		env[e["Name"].(string)] = e["Value"]
	}
	return env
}

// secretsOf maps the container's secrets to where ECS reads them from.
func secretsOf(task map[string]any) map[string]any {
	secrets := map[string]any{}
	for _, e := range task["ContainerDefinitions"].([]any)[0].(map[string]any)["Secrets"].([]any) {
		e := e.(map[string]any)
		secrets[e["Name"].(string)] = e["ValueFrom"]
	}
	return secrets
}

func TestService_TaskSizeAndEnvironment(t *testing.T) {
	s := synth(t, nil)
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	if task["Cpu"] != "512" || task["Memory"] != "1024" {
		t.Errorf("task cpu %v memory %v, want 512 (0.5 vCPU) and 1024", task["Cpu"], task["Memory"])
	}
	if js(task["RequiresCompatibilities"]) != `["FARGATE"]` {
		t.Errorf("task compatibilities %v, want Fargate", task["RequiresCompatibilities"])
	}
	env := envOf(task)
	want := map[string]string{
		"PORT":                 "8080",
		"FETCH_SCHEDULE":       "off",
		"COINGECKO_PLAN":       "demo",
		"COINGECKO_RATE_LIMIT": "30",
		"LOG_LEVEL":            "info",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%v, want %s", k, env[k], v)
		}
	}
	if proxies := js(env["TRUSTED_PROXIES"]); !strings.Contains(proxies, `"CidrBlock"`) {
		t.Errorf("TRUSTED_PROXIES %s, want the VPC's block, where the ALB is", proxies)
	}
	if url := js(env["DATABASE_URL"]); !strings.HasPrefix(url, `{"Fn::Join":["",["postgres://",`) || strings.Contains(url, "@") {
		t.Errorf("DATABASE_URL %s, want postgres://host:port/cryptodash with no credentials in it", url)
	}
}

func TestService_SecretsComeFromSecretsManager(t *testing.T) {
	s := synth(t, nil)
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	secrets := secretsOf(task)
	cron := s.idOf(t, "AWS::SecretsManager::Secret", "SecretsCronSecret")
	coingecko := s.idOf(t, "AWS::SecretsManager::Secret", "SecretsCoinGeckoApiKey")
	dbAttachment := s.idOf(t, "AWS::SecretsManager::SecretTargetAttachment", "DatabaseInstanceSecretAttachment")
	want := map[string]any{
		"CRON_SECRET":       ref(cron),
		"COINGECKO_API_KEY": ref(coingecko),
		"PGUSER":            map[string]any{"Fn::Join": []any{"", []any{ref(dbAttachment), ":username::"}}},
		"PGPASSWORD":        map[string]any{"Fn::Join": []any{"", []any{ref(dbAttachment), ":password::"}}},
	}
	for name, from := range want {
		if js(secrets[name]) != js(from) {
			t.Errorf("secret %s from %s, want %s", name, js(secrets[name]), js(from))
		}
	}
	for name := range secretsOf(task) {
		if _, plain := envOf(task)[name]; plain {
			t.Errorf("%s is both a secret and a plain environment variable", name)
		}
	}
}

func TestService_StopsAfterTheServerDrains(t *testing.T) {
	s := synth(t, nil)
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	c := container(t, task)
	const drain = 20 // web.ShutdownTimeout in seconds
	if stop, _ := c["StopTimeout"].(float64); stop <= drain || stop > 120 {
		t.Errorf("stop timeout %v s, want more than the server's %d s drain and at most Fargate's 120 s", c["StopTimeout"], drain)
	}
	if c["ReadonlyRootFilesystem"] != true {
		t.Errorf("root file system writable")
	}
}

func TestService_LogsWithRetention(t *testing.T) {
	s := synth(t, nil)
	logs, group := s.only(t, "AWS::Logs::LogGroup")
	if group["RetentionInDays"] != float64(30) {
		t.Errorf("log retention %v days, want 30", group["RetentionInDays"])
	}
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	lc := container(t, task)["LogConfiguration"].(map[string]any)
	if lc["LogDriver"] != "awslogs" || js(lc["Options"].(map[string]any)["awslogs-group"]) != js(ref(logs)) {
		t.Errorf("log configuration %s, want awslogs into %s", js(lc), logs)
	}
}

func TestService_ImageBuiltFromTheRepositoryDockerfile(t *testing.T) {
	s := synth(t, nil)
	b, err := os.ReadFile(filepath.Join(s.dir, "Cryptodash.assets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var assets struct {
		DockerImages map[string]struct {
			Source struct {
				Directory string `json:"directory"`
				Platform  string `json:"platform"`
			} `json:"source"`
		} `json:"dockerImages"`
	}
	if err := json.Unmarshal(b, &assets); err != nil {
		t.Fatal(err)
	}
	if len(assets.DockerImages) != 1 {
		t.Fatalf("%d docker images, want 1", len(assets.DockerImages))
	}
	for _, img := range assets.DockerImages {
		if img.Source.Platform != "linux/amd64" {
			t.Errorf("image platform %q, want linux/amd64 to match the task", img.Source.Platform)
		}
		dir := filepath.Join(s.dir, img.Source.Directory)
		for _, name := range []string{"Dockerfile", "go.mod", "cmd/cryptodash"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("build context lacks %s: %v", name, err)
			}
		}
		// .dockerignore keeps deploy/ (and with it cdk.out) and node_modules out of the context.
		for _, name := range []string{"deploy", "node_modules", ".git"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("build context holds %s, which .dockerignore excludes", name)
			}
		}
	}
}

func TestService_TwoTasksRollingBackAndScalingOnCPU(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ECS::Service"), map[string]any{
			"DesiredCount": 2,
			"LaunchType":   "FARGATE",
			"DeploymentConfiguration": map[string]any{
				"DeploymentCircuitBreaker": map[string]any{"Enable": true, "Rollback": true},
				"MinimumHealthyPercent":    100,
				"MaximumPercent":           200,
			},
			"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{
				"AssignPublicIp": "DISABLED",
				"Subnets": []any{
					ref(s.idOf(t, "AWS::EC2::Subnet", "NetworkVpcappSubnet1")),
					ref(s.idOf(t, "AWS::EC2::Subnet", "NetworkVpcappSubnet2")),
				},
			}},
		})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ApplicationAutoScaling::ScalableTarget"), map[string]any{
			"MinCapacity": 2, "MaxCapacity": 4, "ScalableDimension": "ecs:service:DesiredCount",
		})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ApplicationAutoScaling::ScalingPolicy"), map[string]any{
			"PolicyType": "TargetTrackingScaling",
			"TargetTrackingScalingPolicyConfiguration": map[string]any{
				"PredefinedMetricSpecification": map[string]any{"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
			},
		})
	})
}

func TestService_CountSizeAndCoinGeckoFromContext(t *testing.T) {
	s := synth(t, map[string]any{
		"desiredCount": "3", "maxCount": "6", "cpu": "1024", "memoryMiB": "2048",
		"coingeckoPlan": "pro", "coingeckoRateLimit": "250",
	})
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	if task["Cpu"] != "1024" || task["Memory"] != "2048" {
		t.Errorf("task cpu %v memory %v, want 1024 and 2048", task["Cpu"], task["Memory"])
	}
	if env := envOf(task); env["COINGECKO_PLAN"] != "pro" || env["COINGECKO_RATE_LIMIT"] != "250" {
		t.Errorf("CoinGecko plan %v rate %v, want pro and 250", env["COINGECKO_PLAN"], env["COINGECKO_RATE_LIMIT"])
	}
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ECS::Service"), map[string]any{"DesiredCount": 3})
	})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::ApplicationAutoScaling::ScalableTarget"), map[string]any{"MinCapacity": 3, "MaxCapacity": 6})
	})
}
