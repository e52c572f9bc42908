package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// originVerifyHeader is the header CloudFront adds to every origin request; the load balancer
// forwards only requests that carry the secret value in it.
const originVerifyHeader = "X-Origin-Verify"

// containerPort is the server's PORT.
const containerPort = 8080

// livenessPath answers 200 while the server's process serves requests, whatever the database
// does (internal/web/api_live.go); /api/health is readiness, with the database.
const livenessPath = "/api/live"

// LoadBalancer is the internal ALB the distribution reaches through a CloudFront VPC origin:
// it has no public address at all. Two more locks keep everyone else out: its security group
// admits only CloudFront's origin-facing addresses (which VPC origins connect from), and its
// listener answers 403 unless the request carries CloudFront's secret header.
type LoadBalancer struct {
	constructs.Construct
	ALB         awselasticloadbalancingv2.ApplicationLoadBalancer
	Listener    awselasticloadbalancingv2.ApplicationListener
	TargetGroup awselasticloadbalancingv2.ApplicationTargetGroup
	// HTTPS tells whether CloudFront reaches the ALB over TLS (custom domain) or over HTTP
	// inside the VPC.
	HTTPS bool
}

// NewLoadBalancer creates the ALB with its listener and the target group the service joins.
// Only one listener port is opened to CloudFront: the origin-facing prefix list counts as
// about 55 rules against a security group's quota of 60, so a second port would not fit.
func NewLoadBalancer(scope constructs.Construct, id string, cfg Config, net *Network, logs *Logs, secrets *Secrets, dom *Domain) *LoadBalancer {
	c := constructs.NewConstruct(scope, &id)
	https := dom != nil
	port, protocol := 80, awselasticloadbalancingv2.ApplicationProtocol_HTTP
	if https {
		port, protocol = 443, awselasticloadbalancingv2.ApplicationProtocol_HTTPS
	}

	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              net.Vpc,
		Description:      jsii.String("cryptodash load balancer: CloudFront origin-facing addresses only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	sg.AddIngressRule(awsec2.Peer_PrefixList(jsii.String(cfg.OriginPrefixListID)), awsec2.Port_Tcp(jsii.Number(port)),
		jsii.String("CloudFront origin-facing"), jsii.Bool(false))

	alb := awselasticloadbalancingv2.NewApplicationLoadBalancer(c, jsii.String("Alb"), &awselasticloadbalancingv2.ApplicationLoadBalancerProps{
		Vpc:                     net.Vpc,
		InternetFacing:          jsii.Bool(false),
		VpcSubnets:              &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetApp)},
		SecurityGroup:           sg,
		DropInvalidHeaderFields: jsii.Bool(true),
	})
	alb.LogAccessLogs(logs.Bucket, jsii.String(logPrefixALB))

	listenerProps := &awselasticloadbalancingv2.BaseApplicationListenerProps{
		Port:     jsii.Number(port),
		Protocol: protocol,
		// Open would add 0.0.0.0/0 to the security group.
		Open: jsii.Bool(false),
		DefaultAction: awselasticloadbalancingv2.ListenerAction_FixedResponse(jsii.Number(403), &awselasticloadbalancingv2.FixedResponseOptions{
			ContentType: jsii.String("text/plain"),
			MessageBody: jsii.String("Forbidden"),
		}),
	}
	if https {
		listenerProps.Certificates = &[]awselasticloadbalancingv2.IListenerCertificate{
			awselasticloadbalancingv2.ListenerCertificate_FromCertificateManager(dom.OriginCertificate),
		}
		listenerProps.SslPolicy = awselasticloadbalancingv2.SslPolicy_RECOMMENDED_TLS
	}
	listener := alb.AddListener(jsii.String("Listener"), listenerProps)

	tg := awselasticloadbalancingv2.NewApplicationTargetGroup(c, jsii.String("Targets"), &awselasticloadbalancingv2.ApplicationTargetGroupProps{
		Vpc:        net.Vpc,
		Port:       jsii.Number(containerPort),
		Protocol:   awselasticloadbalancingv2.ApplicationProtocol_HTTP,
		TargetType: awselasticloadbalancingv2.TargetType_IP,
		HealthCheck: &awselasticloadbalancingv2.HealthCheck{
			// Liveness, not readiness: during a database failover every task would fail a
			// check that followed the database, and ECS would replace them all, making the
			// outage longer. The tasks answer 503 meanwhile by themselves.
			Path:                    jsii.String(livenessPath),
			HealthyHttpCodes:        jsii.String("200"),
			Interval:                awscdk.Duration_Seconds(jsii.Number(15)),
			Timeout:                 awscdk.Duration_Seconds(jsii.Number(5)),
			HealthyThresholdCount:   jsii.Number(2),
			UnhealthyThresholdCount: jsii.Number(3),
		},
		// ECS signals the task only after deregistration, so this is how long in-flight
		// requests get before SIGTERM; the server then drains for up to 20 s more.
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(30)),
	})
	listener.AddTargetGroups(jsii.String("FromCloudFront"), &awselasticloadbalancingv2.AddApplicationTargetGroupsProps{
		Priority: jsii.Number(10),
		Conditions: &[]awselasticloadbalancingv2.ListenerCondition{
			// A dynamic reference: CloudFormation reads the value from Secrets Manager at
			// deployment, so it never appears in the template.
			awselasticloadbalancingv2.ListenerCondition_HttpHeader(jsii.String(originVerifyHeader),
				jsii.Strings(*secrets.OriginVerify.SecretValue().UnsafeUnwrap())),
		},
		TargetGroups: &[]awselasticloadbalancingv2.IApplicationTargetGroup{tg},
	})
	return &LoadBalancer{Construct: c, ALB: alb, Listener: listener, TargetGroup: tg, HTTPS: https}
}
