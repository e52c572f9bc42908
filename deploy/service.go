package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapplicationautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecrassets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// repoRoot is the directory holding the server's Dockerfile, relative to deploy/, where the
// CDK app and its tests run.
const repoRoot = ".."

// Service is the ECS Fargate service that runs `cryptodash serve` from the repository's
// Dockerfile behind the load balancer.
type Service struct {
	constructs.Construct
	Cluster  awsecs.Cluster
	Fargate  awsecs.FargateService
	LogGroup awslogs.LogGroup
}

// NewService builds the image, the task and the service, and lets the service, and only the
// service, into the database.
func NewService(scope constructs.Construct, id string, cfg Config, net *Network, db *Database, secrets *Secrets, lb *LoadBalancer) *Service {
	c := constructs.NewConstruct(scope, &id)
	if _, err := os.Stat(filepath.Join(repoRoot, "Dockerfile")); err != nil {
		panic(fmt.Sprintf("deploy: the server's Dockerfile must be at %s from the working directory (run in deploy/): %v", repoRoot, err))
	}

	logs := newLogGroup(c, "Logs", "/ecs/"+cfg.Prefix(), cfg)

	// The image is built for the tasks' architecture whatever the building machine's: the
	// Dockerfile cross-compiles natively rather than under emulation.
	arch, platform := awsecs.CpuArchitecture_X86_64(), awsecrassets.Platform_LINUX_AMD64()
	if cfg.ARM64 {
		arch, platform = awsecs.CpuArchitecture_ARM64(), awsecrassets.Platform_LINUX_ARM64()
	}
	task := awsecs.NewFargateTaskDefinition(c, jsii.String("Task"), &awsecs.FargateTaskDefinitionProps{
		Family:         jsii.String(cfg.Prefix()),
		Cpu:            jsii.Number(cfg.CPU),
		MemoryLimitMiB: jsii.Number(cfg.MemoryMiB),
		RuntimePlatform: &awsecs.RuntimePlatform{
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
			CpuArchitecture:       arch,
		},
	})
	task.AddContainer(jsii.String("app"), &awsecs.ContainerDefinitionOptions{
		// Built from the repository root with its .dockerignore.
		Image: awsecs.ContainerImage_FromAsset(jsii.String(repoRoot), &awsecs.AssetImageProps{
			Platform: platform,
		}),
		PortMappings: &[]*awsecs.PortMapping{{ContainerPort: jsii.Number(containerPort)}},
		Environment: &map[string]*string{
			"PORT":         jsii.String(strconv.Itoa(containerPort)),
			"DATABASE_URL": db.URL(),
			// The server reads the user and password from the secret for every new
			// connection, so a rotation reaches running tasks without a restart.
			"DATABASE_SECRET_ID":   db.Secret.SecretArn(),
			"COINGECKO_PLAN":       jsii.String(cfg.CoinGeckoPlan),
			"COINGECKO_RATE_LIMIT": jsii.String(strconv.Itoa(cfg.CoinGeckoRateLimit)),
			// EventBridge owns the schedule; the in-process one would be a second trigger.
			"FETCH_SCHEDULE": jsii.String("off"),
			"LOG_LEVEL":      jsii.String(cfg.LogLevel),
			// The ALB is in the VPC: only its forwarded headers are believed.
			"TRUSTED_PROXIES": net.Vpc.VpcCidrBlock(),
		},
		// ECS reads these from Secrets Manager when a task starts.
		Secrets: &map[string]awsecs.Secret{
			"CRON_SECRET":       awsecs.Secret_FromSecretsManager(secrets.CronSecret, nil),
			"COINGECKO_API_KEY": awsecs.Secret_FromSecretsManager(secrets.CoinGeckoAPIKey, nil),
		},
		Logging: awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: logs, StreamPrefix: jsii.String("cryptodash")}),
		// After SIGTERM the server drains requests for up to 20 s (web.ShutdownTimeout) while
		// a running fetch records how far it got; SIGKILL must not come before both are done.
		StopTimeout: awscdk.Duration_Seconds(jsii.Number(45)),
		// The binary embeds everything it serves and writes nothing to disk.
		ReadonlyRootFilesystem: jsii.Bool(true),
	})

	db.Secret.GrantRead(task.TaskRole(), nil)

	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              net.Vpc,
		Description:      jsii.String("cryptodash tasks: HTTP from the load balancer; out to PostgreSQL and HTTPS"),
		AllowAllOutbound: jsii.Bool(false),
	})
	sg.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("CoinGecko through the NAT gateway; ECR, S3, Secrets Manager and CloudWatch Logs through VPC endpoints"), jsii.Bool(false))

	cluster := awsecs.NewCluster(c, jsii.String("Cluster"), &awsecs.ClusterProps{Vpc: net.Vpc, ClusterName: jsii.String(cfg.Prefix())})
	svc := awsecs.NewFargateService(c, jsii.String("Service"), &awsecs.FargateServiceProps{
		Cluster:        cluster,
		TaskDefinition: task,
		DesiredCount:   jsii.Number(cfg.DesiredCount),
		// New tasks start before old ones stop, so a deploy never drops below desiredCount,
		// and a deploy whose tasks never turn healthy rolls back by itself.
		MinHealthyPercent:      jsii.Number(100),
		MaxHealthyPercent:      jsii.Number(200),
		CircuitBreaker:         &awsecs.DeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
		HealthCheckGracePeriod: awscdk.Duration_Seconds(jsii.Number(60)),
		VpcSubnets:             &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetApp)},
		SecurityGroups:         &[]awsec2.ISecurityGroup{sg},
		AssignPublicIp:         jsii.Bool(false),
	})
	suppress(task, "ECS2", "The environment holds settings only (port, plan, schedule, log level, the credential-free DATABASE_URL); every secret comes through Secrets.")
	suppress(task, "IAM5", "ecr:GetAuthorizationToken has no resource to scope to; CDK grants the image pull and log writes on their resources.", "Resource::*")
	suppress(cluster, "ECS4", "Container Insights would add a few dollars a month of custom metrics for one service; the service's own CPU and memory metrics and the target group's healthy count (HealthyTasksLow) cover what the alarms need.")
	svc.AttachToApplicationTargetGroup(lb.TargetGroup)
	db.Instance.Connections().AllowDefaultPortFrom(svc, jsii.String("cryptodash tasks"))
	for _, e := range net.Endpoints {
		e.Connections().AllowDefaultPortFrom(svc, jsii.String("cryptodash tasks"))
	}

	scaling := svc.AutoScaleTaskCount(&awsapplicationautoscaling.EnableScalingProps{
		MinCapacity: jsii.Number(cfg.DesiredCount),
		MaxCapacity: jsii.Number(cfg.MaxCount),
	})
	scaling.ScaleOnCpuUtilization(jsii.String("Cpu"), &awsecs.CpuUtilizationScalingProps{
		TargetUtilizationPercent: jsii.Number(60),
		ScaleOutCooldown:         awscdk.Duration_Seconds(jsii.Number(60)),
		ScaleInCooldown:          awscdk.Duration_Minutes(jsii.Number(5)),
	})
	return &Service{Construct: c, Cluster: cluster, Fargate: svc, LogGroup: logs}
}
