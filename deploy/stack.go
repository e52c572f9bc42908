package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewStack assembles one environment's whole system in one stack, so that no value crosses a
// stack boundary as an export that would later pin it. Every name it gives starts with the
// environment's prefix, so environments share an account.
func NewStack(scope constructs.Construct, id string, cfg Config) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &awscdk.StackProps{
		StackName:   jsii.String(cfg.Prefix()),
		Description: jsii.String("cryptodash " + cfg.Env + ": CloudFront, internal ALB, ECS Fargate, RDS PostgreSQL 18, EventBridge schedule, logs, alarms"),
		Env:         &awscdk.Environment{Region: jsii.String(cfg.Region)},
	})
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("cryptodash"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("env"), jsii.String(cfg.Env), nil)
	prefix := cfg.Prefix()

	logs := NewLogs(stack, "Logs", cfg)
	net := NewNetwork(stack, "Network", cfg, logs)
	secrets := NewSecrets(stack, "Secrets", prefix)
	db := NewDatabase(stack, "Database", cfg, net)
	dom := NewDomain(stack, "Domain", cfg)
	lb := NewLoadBalancer(stack, "LoadBalancer", cfg, net, logs, secrets, dom)
	svc := NewService(stack, "Service", cfg, net, db, secrets, lb)
	edge := NewEdge(stack, "Edge", cfg, lb, logs, secrets, dom)
	dom.AddRecords(edge.Distribution, lb.ALB)
	sched := NewSchedule(stack, "Schedule", edge, secrets)
	mon := NewMonitoring(stack, "Monitoring", watched{cfg: cfg, lb: lb, service: svc, db: db, schedule: sched})

	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Description: jsii.String(description), Value: value})
	}
	output("Url", "The dashboard", awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), edge.Host, jsii.String("/")}))
	output("DistributionDomainName", "Point the custom domain here (CNAME) when its zone is not in Route 53", edge.Distribution.DistributionDomainName())
	output("LoadBalancerDnsName", "The internal load balancer; point the origin name here (CNAME) when the zone is not in Route 53", lb.ALB.LoadBalancerDnsName())
	output("CoinGeckoApiKeySecret", "Put the CoinGecko key here (docs/deploy.md)", jsii.String(prefix+"/"+coinGeckoSecretName))
	output("CronSecret", "CRON_SECRET, which EventBridge sends too", jsii.String(prefix+"/"+cronSecretName))
	output("DatabaseSecret", "The database's generated credentials", jsii.String(prefix+"/"+databaseSecretName))
	output("ClusterName", "For aws ecs update-service --force-new-deployment", svc.Cluster.ClusterName())
	output("ServiceName", "For aws ecs update-service --force-new-deployment", svc.Fargate.ServiceName())
	output("LogGroupName", "The server's JSON logs", svc.LogGroup.LogGroupName())
	output("LogBucketName", "CloudFront (cloudfront/), ALB (alb/) and VPC flow (vpc-flow/) logs", logs.Bucket.BucketName())
	output("DeadLetterQueueUrl", "Daily triggers EventBridge gave up on", sched.DeadLetterQueue.QueueUrl())
	output("AlarmTopicArn", "Subscribe more endpoints to the alarms here", mon.Topic.TopicArn())
	return stack
}
