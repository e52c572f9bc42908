package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Logs is where every hop's log goes that CloudWatch Logs does not take: CloudFront's
// standard logs, the ALB's access logs and the VPC flow logs, each under its own prefix in
// one bucket, deleted after LogRetentionDays.
type Logs struct {
	constructs.Construct
	Bucket awss3.Bucket
}

// Prefixes of the log bucket, one per source.
const (
	logPrefixCloudFront = "cloudfront/"
	logPrefixALB        = "alb"
	logPrefixFlow       = "vpc-flow/"
)

// NewLogs creates the log bucket.
func NewLogs(scope constructs.Construct, id string, cfg Config) *Logs {
	c := constructs.NewConstruct(scope, &id)
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), &awss3.BucketProps{
		// The ALB writes access logs only to buckets encrypted with S3's own keys.
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		// CloudFront's standard logs are delivered with an ACL granting the bucket owner
		// control, which a bucket that disables ACLs refuses.
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration: awscdk.Duration_Days(jsii.Number(cfg.LogRetentionDays)),
		}},
		// Logs outlive the stack: they are what explains why it was torn down.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	suppress(bucket, "S1", "This is the log bucket: logging its access into itself would log its own log writes, and another bucket would only move the question.")
	return &Logs{Construct: c, Bucket: bucket}
}

// newLogGroup creates a CloudWatch log group named name, kept LogRetentionDays and kept
// after the stack. The retention goes on the resource itself, since the L2 construct takes
// only its fixed list of durations.
func newLogGroup(scope constructs.Construct, id, name string, cfg Config) awslogs.LogGroup {
	lg := awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(name),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	lg.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(cfg.LogRetentionDays))
	return lg
}
