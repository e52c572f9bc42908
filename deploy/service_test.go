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
	want := map[string]any{
		"CRON_SECRET":       ref(cron),
		"COINGECKO_API_KEY": ref(coingecko),
	}
	for name, from := range want {
		if js(secrets[name]) != js(from) {
			t.Errorf("secret %s from %s, want %s", name, js(secrets[name]), js(from))
		}
	}
	if len(secrets) != len(want) {
		t.Errorf("secrets %v, want %v", sortedKeys(secrets), sortedKeys(want))
	}
}

// The database's credentials are not fixed at task start: the server reads the secret for
// every new connection (DATABASE_SECRET_ID), so the task role, and only it, may read it.
func TestService_ReadsTheRotatedDatabaseSecretItself(t *testing.T) {
	s := synth(t, nil)
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	dbAttachment := s.idOf(t, "AWS::SecretsManager::SecretTargetAttachment", "DatabaseInstanceSecretAttachment")
	if got := js(envOf(task)["DATABASE_SECRET_ID"]); got != js(ref(dbAttachment)) {
		t.Errorf("DATABASE_SECRET_ID %s, want the database secret's ARN", got)
	}
	taskRole := js(task["TaskRoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0])
	readers := 0
	for id, r := range s.resources("AWS::IAM::Policy") {
		p := r["Properties"].(map[string]any)
		for _, st := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if js(st["Resource"]) == js(ref(dbAttachment)) && strings.Contains(js(st["Action"]), "secretsmanager:GetSecretValue") {
				readers++
				if roles := js(p["Roles"]); !strings.Contains(roles, strings.Trim(taskRole, `"`)) {
					t.Errorf("policy %s lets %s read the database secret, want the task role", id, roles)
				}
			}
		}
	}
	if readers != 1 {
		t.Errorf("%d policies read the database secret, want the task role's", readers)
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
	logs := s.idOf(t, "AWS::Logs::LogGroup", "ServiceLogs")
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::Logs::LogGroup"), map[string]any{"LogGroupName": "/ecs/dev-cryptodash", "RetentionInDays": 90})
	})
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	lc := container(t, task)["LogConfiguration"].(map[string]any)
	if lc["LogDriver"] != "awslogs" || js(lc["Options"].(map[string]any)["awslogs-group"]) != js(ref(logs)) {
		t.Errorf("log configuration %s, want awslogs into %s", js(lc), logs)
	}
}

// The tasks run on Graviton by default, from an image built for it; x86_64 stays a choice.
func TestService_ArchitectureOfTasksAndImage(t *testing.T) {
	for name, tc := range map[string]struct {
		ctx            map[string]any
		arch, platform string
	}{
		"default": {nil, "ARM64", "linux/arm64"},
		"x86_64":  {map[string]any{"arm64": "false"}, "X86_64", "linux/amd64"},
	} {
		t.Run(name, func(t *testing.T) {
			s := synth(t, tc.ctx)
			_, task := s.only(t, "AWS::ECS::TaskDefinition")
			if got := js(task["RuntimePlatform"]); got != js(map[string]any{"CpuArchitecture": tc.arch, "OperatingSystemFamily": "LINUX"}) {
				t.Errorf("runtime platform %s, want %s", got, tc.arch)
			}
			for _, img := range s.dockerImages(t) {
				if img.Source.Platform != tc.platform {
					t.Errorf("image platform %q, want %s to match the task", img.Source.Platform, tc.platform)
				}
			}
		})
	}
}

// dockerImage is an image asset as the assembly's asset manifest describes it.
type dockerImage struct {
	Source struct {
		Directory string `json:"directory"`
		Platform  string `json:"platform"`
	} `json:"source"`
}

func (s *synthesis) dockerImages(t *testing.T) map[string]dockerImage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "Cryptodash.assets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var assets struct {
		DockerImages map[string]dockerImage `json:"dockerImages"`
	}
	if err := json.Unmarshal(b, &assets); err != nil {
		t.Fatal(err)
	}
	if len(assets.DockerImages) != 1 {
		t.Fatalf("%d docker images, want 1", len(assets.DockerImages))
	}
	return assets.DockerImages
}

func TestService_ImageBuiltFromTheRepositoryDockerfile(t *testing.T) {
	s := synth(t, nil)
	for _, img := range s.dockerImages(t) {
		dir := filepath.Join(s.dir, img.Source.Directory)
		for _, name := range []string{"Dockerfile", "go.mod", "cmd/cryptodash/main.go", "migrations", "static/vendor", "certs/rds-ca.pem"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("build context lacks %s: %v", name, err)
			}
		}
		// .dockerignore keeps deploy/ (and with it cdk.out), node_modules, docs and tests out of
		// the context, so changing them builds no new image.
		for _, name := range []string{"deploy", "node_modules", ".git", ".ci", "docs", "README.md", "cmd/cryptodash/main_test.go", "internal/web/testdata"} {
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
