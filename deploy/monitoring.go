package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// metricNamespace holds the metrics found in the server's JSON logs.
const metricNamespace = "Cryptodash"

// Monitoring is the alarms, the SNS topic they notify and the dashboard.
type Monitoring struct {
	constructs.Construct
	Topic  awssns.Topic
	Alarms []awscloudwatch.Alarm
}

// watched is everything Monitoring reads metrics from.
type watched struct {
	cfg      Config
	lb       *LoadBalancer
	service  *Service
	db       *Database
	schedule *Schedule
}

// NewMonitoring creates the topic (with an e-mail subscription when alarmEmail is set), the
// log metric filters, one alarm per failure an operator must act on, and the dashboard.
func NewMonitoring(scope constructs.Construct, id string, w watched) *Monitoring {
	c := constructs.NewConstruct(scope, &id)
	topic := awssns.NewTopic(c, jsii.String("Alarms"), &awssns.TopicProps{DisplayName: jsii.String("cryptodash alarms")})
	if w.cfg.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(w.cfg.AlarmEmail), nil))
	}
	m := &Monitoring{Construct: c, Topic: topic}
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	oneMin := awscdk.Duration_Minutes(jsii.Number(1))

	// Both come from the server's slog JSON: a run that ends failed or partial logs
	// "fetch run finished" at WARN, and every request logs its route and status.
	fetchFailed := logMetric(w.service.LogGroup, "FetchRunNotSucceeded", "FetchRunsNotSucceeded", awslogs.FilterPattern_All(
		awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String("fetch run finished")),
		awslogs.FilterPattern_Any(
			awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String("failed")),
			awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String("partial")),
		),
	))
	cron401 := logMetric(w.service.LogGroup, "CronUnauthorized", "CronUnauthorized", awslogs.FilterPattern_All(
		awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String("http request")),
		awslogs.FilterPattern_Any(
			awslogs.FilterPattern_StringValue(jsii.String("$.route"), jsii.String("="), jsii.String("/api/cron/fetch-data")),
			awslogs.FilterPattern_StringValue(jsii.String("$.route"), jsii.String("="), jsii.String("/api/cron/runs/:id")),
		),
		awslogs.FilterPattern_NumberValue(jsii.String("$.status"), jsii.String("="), jsii.Number(401)),
	))

	alb := w.lb.ALB.Metrics()
	tg := w.lb.TargetGroup.Metrics()
	sum5 := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMin}

	m.add(alarmSpec{id: "Http5xx", threshold: 10, op: atLeast, periods: 1, recovers: true,
		description: "The load balancer answered 10 or more 5xx in 5 minutes (the server's, or its own 502/503/504 when no task answers). Check the service's tasks and logs.",
		metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Label:      jsii.String("5xx answers"),
			Expression: jsii.String("FILL(target, 0) + FILL(elb, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"target": alb.HttpCodeTarget(awselasticloadbalancingv2.HttpCodeTarget_TARGET_5XX_COUNT, sum5),
				"elb":    alb.HttpCodeElb(awselasticloadbalancingv2.HttpCodeElb_ELB_5XX_COUNT, sum5),
			},
			Period: fiveMin,
		})})
	m.add(alarmSpec{id: "UnhealthyTargets", threshold: 1, op: atLeast, periods: 3, recovers: true,
		description: "A task has failed the /api/health check for 3 minutes: it cannot reach the database, or it is not starting.",
		metric:      tg.UnhealthyHostCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: oneMin})})
	m.add(alarmSpec{id: "SlowResponses", threshold: 1, op: above, periods: 3, datapoints: 2, recovers: true,
		description: "The p95 time the tasks take to answer has been above 1 s in 2 of the last 3 five-minute periods.",
		metric:      alb.TargetResponseTime(&awscloudwatch.MetricOptions{Statistic: jsii.String("p95"), Period: fiveMin})})
	m.add(alarmSpec{id: "DatabaseCpu", threshold: 80, op: above, periods: 3, recovers: true,
		description: "The database's CPU has averaged above 80% for 15 minutes.",
		metric:      w.db.Instance.MetricCPUUtilization(&awscloudwatch.MetricOptions{Period: fiveMin})})
	m.add(alarmSpec{id: "DatabaseStorage", threshold: float64(w.cfg.DBStorageGiB) * 0.1 * (1 << 30), op: below, periods: 1, recovers: true,
		description: "The database has less than a tenth of its storage free.",
		metric:      w.db.Instance.MetricFreeStorageSpace(&awscloudwatch.MetricOptions{Statistic: jsii.String("Minimum"), Period: fiveMin})})
	m.add(alarmSpec{id: "ScheduleFailed", threshold: 1, op: atLeast, periods: 1,
		description: "EventBridge gave up calling the cron endpoint (the event is in the dead-letter queue): the daily fetch did not start.",
		metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String("AWS/Events"),
			MetricName:    jsii.String("FailedInvocations"),
			DimensionsMap: &map[string]*string{"RuleName": w.schedule.Rule.RuleName()},
			Statistic:     jsii.String("Sum"),
			Period:        fiveMin,
		})})
	m.add(alarmSpec{id: "FetchRunFailed", threshold: 1, op: atLeast, periods: 1,
		description: "A fetch run ended failed or partial; /status and the run's log line name what failed.",
		metric:      fetchFailed.Metric(sum5)})
	m.add(alarmSpec{id: "CronUnauthorized", threshold: 5, op: atLeast, periods: 1,
		description: "The cron endpoint refused 5 or more requests with 401 in 5 minutes: someone is guessing the token, or the EventBridge connection holds an old one.",
		metric:      cron401.Metric(sum5)})

	newDashboard(c, w, m.Alarms, fetchFailed.Metric(sum5), cron401.Metric(sum5))
	return m
}

// Comparison operators, short enough for the alarm table above.
const (
	atLeast = awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	above   = awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD
	below   = awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD
)

// alarmSpec is one alarm: it breaches when datapoints of the last periods periods (all of them
// when datapoints is 0) compare op to threshold. Alarms on a state rather than a single event
// recover, and say so.
type alarmSpec struct {
	id, description     string
	metric              awscloudwatch.IMetric
	threshold           float64
	op                  awscloudwatch.ComparisonOperator
	periods, datapoints int
	recovers            bool
}

// add creates the alarm and points it at the topic. Missing data is not a failure: the log
// metrics have data only when something went wrong, and a quiet night has no requests.
func (m *Monitoring) add(s alarmSpec) {
	datapoints := s.datapoints
	if datapoints == 0 {
		datapoints = s.periods
	}
	a := awscloudwatch.NewAlarm(m.Construct, jsii.String(s.id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(s.description),
		Metric:             s.metric,
		Threshold:          jsii.Number(s.threshold),
		ComparisonOperator: s.op,
		EvaluationPeriods:  jsii.Number(s.periods),
		DatapointsToAlarm:  jsii.Number(datapoints),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	a.AddAlarmAction(action)
	if s.recovers {
		a.AddOkAction(action)
	}
	m.Alarms = append(m.Alarms, a)
}

// logMetric counts the log events matching pattern as a metric in metricNamespace.
func logMetric(logs awslogs.LogGroup, id, name string, pattern awslogs.IFilterPattern) awslogs.MetricFilter {
	return logs.AddMetricFilter(jsii.String(id), &awslogs.MetricFilterOptions{
		FilterPattern:   pattern,
		MetricNamespace: jsii.String(metricNamespace),
		MetricName:      jsii.String(name),
		MetricValue:     jsii.String("1"),
		Unit:            awscloudwatch.Unit_COUNT,
	})
}
