package main

import (
	"fmt"

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
	prefix string
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
// Every alarm says what missing data means: for a heartbeat it is the failure itself.
func NewMonitoring(scope constructs.Construct, id string, w watched) *Monitoring {
	c := constructs.NewConstruct(scope, &id)
	topic := awssns.NewTopic(c, jsii.String("Alarms"), &awssns.TopicProps{
		TopicName:   jsii.String(w.cfg.Prefix() + "-alarms"),
		DisplayName: jsii.String("cryptodash " + w.cfg.Env + " alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	if w.cfg.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(w.cfg.AlarmEmail), nil))
	} else {
		// Config.Validate refuses this for `make deploy`; synthesis says it loudly.
		awscdk.Annotations_Of(topic).AddWarningV2(jsii.String("cryptodash:no-alarm-destination"),
			jsii.String("no alarmEmail in env/"+w.cfg.Env+".json: every alarm goes to nobody, and make deploy refuses"), nil)
	}
	m := &Monitoring{Construct: c, Topic: topic, prefix: w.cfg.Prefix()}
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	oneMin := awscdk.Duration_Minutes(jsii.Number(1))
	oneHour := awscdk.Duration_Hours(jsii.Number(1))

	// All three come from the server's slog JSON: every run logs "fetch run finished" with
	// its status (at WARN unless it succeeded), and every request logs its route and status.
	finished := func(status string) awslogs.JsonPattern {
		return awslogs.FilterPattern_All(
			awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String("fetch run finished")),
			awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String(status)))
	}
	fetchSucceeded := logMetric(w.service.LogGroup, "FetchRunSucceeded", "FetchRunsSucceeded", finished("succeeded"))
	fetchFailed := logMetric(w.service.LogGroup, "FetchRunNotSucceeded", "FetchRunsNotSucceeded",
		awslogs.FilterPattern_Any(finished("failed"), finished("partial")))
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
	requests := alb.RequestCount(sum5)

	m.add(alarmSpec{id: "NoSuccessfulFetch", threshold: 1, op: below, periods: heartbeatHours, missing: breaching,
		description: "No fetch run has succeeded for 26 hours (the daily run is at 02:00 UTC): the dashboard's data is getting old. /status and the fetch run log lines say why; see also ScheduleDeadLetters and FetchRunFailed.",
		metric:      fetchSucceeded.Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: oneHour})})
	m.add(alarmSpec{id: "Http5xxRate", threshold: 5, op: atLeast, periods: 3, datapoints: 2, missing: notBreaching, recovers: true,
		description: "5% or more of the requests got a 5xx (the server's, or the load balancer's own 502/503/504 when no task answers) in 2 of the last 3 five-minute periods. No requests means no data, which is not a failure: HealthyTasksLow watches the tasks on a quiet night.",
		metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Label:      jsii.String("5xx (% of requests)"),
			Expression: jsii.String("IF(requests > 0, 100 * (FILL(target, 0) + FILL(elb, 0)) / requests, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"requests": requests,
				"target":   alb.HttpCodeTarget(awselasticloadbalancingv2.HttpCodeTarget_TARGET_5XX_COUNT, sum5),
				"elb":      alb.HttpCodeElb(awselasticloadbalancingv2.HttpCodeElb_ELB_5XX_COUNT, sum5),
			},
			Period: fiveMin,
		})})
	m.add(alarmSpec{id: "HealthyTasksLow", threshold: float64(w.cfg.DesiredCount), op: below, periods: 3, missing: breaching, recovers: true,
		description: fmt.Sprintf("Fewer than %d tasks (desiredCount) have passed the load balancer's liveness check for 3 minutes; no data, as when no task is registered at all, counts as none. The tasks are not starting or are crashing: see the service's events and the log group.", w.cfg.DesiredCount),
		metric:      tg.HealthyHostCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Minimum"), Period: oneMin})})
	m.add(alarmSpec{id: "SlowResponses", threshold: 1, op: above, periods: 3, datapoints: 2, missing: notBreaching, recovers: true,
		description: "The p95 time the tasks take to answer has been above 1 s in 2 of the last 3 five-minute periods.",
		metric:      alb.TargetResponseTime(&awscloudwatch.MetricOptions{Statistic: jsii.String("p95"), Period: fiveMin})})
	m.add(alarmSpec{id: "DatabaseCpu", threshold: 80, op: above, periods: 3, missing: breaching, recovers: true,
		description: "The database's CPU has averaged above 80% for 15 minutes (or RDS sent no metric, which it does while the instance is up).",
		metric:      w.db.Instance.MetricCPUUtilization(&awscloudwatch.MetricOptions{Period: fiveMin})})
	m.add(alarmSpec{id: "DatabaseStorage", threshold: float64(w.cfg.DBStorageGiB) * 0.1 * (1 << 30), op: below, periods: 1, missing: breaching, recovers: true,
		description: "The database has less than a tenth of its storage free (or RDS sent no metric).",
		metric:      w.db.Instance.MetricFreeStorageSpace(&awscloudwatch.MetricOptions{Statistic: jsii.String("Minimum"), Period: fiveMin})})
	m.add(alarmSpec{id: "DatabaseConnections", threshold: float64(w.cfg.DBConnectionsAlarm), op: atLeast, periods: 3, missing: breaching, recovers: true,
		description: fmt.Sprintf("The database has held %d or more connections (dbConnectionsAlarm) for 15 minutes (or RDS sent no metric): new connections will soon be refused.", w.cfg.DBConnectionsAlarm),
		metric:      w.db.Instance.MetricDatabaseConnections(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: fiveMin})})
	m.add(alarmSpec{id: "ScheduleDeadLetters", threshold: 1, op: atLeast, periods: 1, missing: notBreaching, recovers: true,
		description: "The daily trigger's dead-letter queue holds events: EventBridge gave up calling the cron endpoint, so that day's fetch did not start. SQS stops sending the metric for a queue idle for 6 hours, so the alarm may return to OK while events remain: read the queue.",
		metric:      w.schedule.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: fiveMin})})
	m.add(alarmSpec{id: "FetchRunFailed", threshold: 1, op: atLeast, periods: 1, missing: notBreaching,
		description: "A fetch run ended failed or partial; /status and the run's log line name what failed.",
		metric:      fetchFailed.Metric(sum5)})
	m.add(alarmSpec{id: "CronUnauthorized", threshold: 5, op: atLeast, periods: 1, missing: notBreaching,
		description: "The cron endpoint refused 5 or more requests with 401 in 5 minutes: someone is guessing the token, or the EventBridge connection holds an old one.",
		metric:      cron401.Metric(sum5)})

	// Requests well above what this hour of this weekday usually sees: a crawler, an attack
	// the rate rule is too coarse for, or a link that went around. A quiet period is normal.
	anomaly := awscloudwatch.NewAnomalyDetectionAlarm(c, jsii.String("RequestsAnomaly"), &awscloudwatch.AnomalyDetectionAlarmProps{
		AlarmName:          jsii.String(m.prefix + "-RequestsAnomaly"),
		AlarmDescription:   jsii.String("The request rate at the load balancer has been above CloudWatch's anomaly band (3 standard deviations of its learnt pattern) in 3 of the last 3 five-minute periods. Look at the WAF and CloudFront logs for who is asking."),
		Metric:             requests,
		StdDevs:            jsii.Number(3),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_UPPER_THRESHOLD,
		EvaluationPeriods:  jsii.Number(3),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	m.notify(anomaly, true)

	newDashboard(c, w, m.Alarms, fetchSucceeded.Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: oneHour}),
		fetchFailed.Metric(sum5), cron401.Metric(sum5))
	return m
}

// heartbeatHours is how long without a succeeded fetch run the heartbeat alarm waits: the
// daily run's 24 hours and two more for a slow or retried run.
const heartbeatHours = 26

// Comparison operators, short enough for the alarm table above.
const (
	atLeast = awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	above   = awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD
	below   = awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD
)

// What missing data means to an alarm, short enough for the alarm table above.
const (
	breaching    = awscloudwatch.TreatMissingData_BREACHING
	notBreaching = awscloudwatch.TreatMissingData_NOT_BREACHING
)

// alarmSpec is one alarm: it breaches when datapoints of the last periods periods (all of them
// when datapoints is 0) compare op to threshold. missing says whether a period without data
// is a failure: it is for a heartbeat and for metrics AWS always sends, and it is not for
// counts of events that happen only when something goes wrong. Alarms on a state rather than
// a single event recover, and say so.
type alarmSpec struct {
	id, description     string
	metric              awscloudwatch.IMetric
	threshold           float64
	op                  awscloudwatch.ComparisonOperator
	periods, datapoints int
	missing             awscloudwatch.TreatMissingData
	recovers            bool
}

// add creates the alarm, named after the environment, and points it at the topic.
func (m *Monitoring) add(s alarmSpec) {
	datapoints := s.datapoints
	if datapoints == 0 {
		datapoints = s.periods
	}
	a := awscloudwatch.NewAlarm(m.Construct, jsii.String(s.id), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(m.prefix + "-" + s.id),
		AlarmDescription:   jsii.String(s.description),
		Metric:             s.metric,
		Threshold:          jsii.Number(s.threshold),
		ComparisonOperator: s.op,
		EvaluationPeriods:  jsii.Number(s.periods),
		DatapointsToAlarm:  jsii.Number(datapoints),
		TreatMissingData:   s.missing,
	})
	m.notify(a, s.recovers)
}

// notify sends the alarm's state changes to the topic: into ALARM always, back to OK when
// recovers says the alarm follows a state rather than counting single events.
func (m *Monitoring) notify(a awscloudwatch.Alarm, recovers bool) {
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	a.AddAlarmAction(action)
	if recovers {
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
