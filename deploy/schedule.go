package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// fetchSchedule is the seed's daily fetch at 02:00 UTC.
const fetchSchedule = "cron(0 2 * * ? *)"

// Schedule is the daily trigger: an EventBridge rule whose API destination POSTs the cron
// endpoint through CloudFront with the Bearer token the tasks check.
type Schedule struct {
	constructs.Construct
	Rule            awsevents.Rule
	DeadLetterQueue awssqs.Queue
}

// NewSchedule creates the rule, the connection holding the token, the API destination and
// the dead-letter queue for triggers EventBridge gave up on.
func NewSchedule(scope constructs.Construct, id string, edge *Edge, secrets *Secrets) *Schedule {
	c := constructs.NewConstruct(scope, &id)

	// The connection needs the whole header value; "Bearer " is joined to a dynamic reference
	// to the secret the tasks read as CRON_SECRET, so CloudFormation fills the value in at
	// deployment and the template holds only the reference.
	bearer := awscdk.SecretValue_UnsafePlainText(jsii.String("Bearer " + *secrets.CronSecret.SecretValue().UnsafeUnwrap()))
	conn := awsevents.NewConnection(c, jsii.String("Connection"), &awsevents.ConnectionProps{
		Description:   jsii.String("cryptodash cron endpoint: Authorization: Bearer <cryptodash cron secret>"),
		Authorization: awsevents.Authorization_ApiKey(jsii.String("Authorization"), bearer),
	})
	dest := awsevents.NewApiDestination(c, jsii.String("Destination"), &awsevents.ApiDestinationProps{
		Description: jsii.String("POST /api/cron/fetch-data"),
		Connection:  conn,
		Endpoint:    awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), edge.Host, jsii.String("/api/cron/fetch-data")}),
		HttpMethod:  awsevents.HttpMethod_POST,
		// One call a day; a burst would only ever be a misconfiguration.
		RateLimitPerSecond: jsii.Number(1),
	})

	dlq := awssqs.NewQueue(c, jsii.String("DeadLetters"), &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	suppress(dlq, "SQS3", "This queue is the dead-letter queue of the daily trigger.")
	rule := awsevents.NewRule(c, jsii.String("Daily"), &awsevents.RuleProps{
		Description: jsii.String("cryptodash daily fetch, 02:00 UTC"),
		Schedule:    awsevents.Schedule_Expression(jsii.String(fetchSchedule)),
	})
	// EventBridge retries 429s, 5xx and timeouts with backoff; the endpoint answers 202 at
	// once and a repeated trigger finds the running run, so retrying is safe. What is still
	// failing after an hour lands in the queue.
	rule.AddTarget(awseventstargets.NewApiDestination(dest, &awseventstargets.ApiDestinationProps{
		RetryAttempts:   jsii.Number(8),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(1)),
		DeadLetterQueue: dlq,
	}))
	return &Schedule{Construct: c, Rule: rule, DeadLetterQueue: dlq}
}
