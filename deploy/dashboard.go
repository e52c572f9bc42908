package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newDashboard lays out one screen an operator reads top to bottom: what is alarming, what
// viewers get, what the tasks and the database are doing, and how the daily fetch went.
func newDashboard(scope constructs.Construct, w watched, alarms []awscloudwatch.Alarm, fetchSucceeded, fetchFailed, cron401 awscloudwatch.IMetric) {
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMin}
	alb := w.lb.ALB.Metrics()
	tg := w.lb.TargetGroup.Metrics()
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	refs := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
	for i, a := range alarms {
		refs[i] = a
	}
	events := func(name string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Events"), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{"RuleName": w.schedule.Rule.RuleName()},
			Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Hours(jsii.Number(1)),
		})
	}

	awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(w.cfg.Prefix()),
		DefaultInterval: awscdk.Duration_Days(jsii.Number(1)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
				Title: jsii.String("Alarms"), Alarms: &refs, Width: jsii.Number(24), Height: jsii.Number(3),
			})},
			{
				graph("Requests and 5xx", alb.RequestCount(sum),
					alb.HttpCodeTarget(awselasticloadbalancingv2.HttpCodeTarget_TARGET_5XX_COUNT, sum),
					alb.HttpCodeElb(awselasticloadbalancingv2.HttpCodeElb_ELB_5XX_COUNT, sum),
					alb.HttpCodeElb(awselasticloadbalancingv2.HttpCodeElb_ELB_4XX_COUNT, sum)),
				graph("Task response time (p50, p95)",
					alb.TargetResponseTime(&awscloudwatch.MetricOptions{Statistic: jsii.String("p50"), Period: fiveMin}),
					alb.TargetResponseTime(&awscloudwatch.MetricOptions{Statistic: jsii.String("p95"), Period: fiveMin})),
				graph("Live and not live tasks", tg.HealthyHostCount(nil), tg.UnhealthyHostCount(nil)),
			},
			{
				graph("Task CPU and memory (%)", w.service.Fargate.MetricCpuUtilization(nil), w.service.Fargate.MetricMemoryUtilization(nil)),
				graph("Database CPU (%) and connections", w.db.Instance.MetricCPUUtilization(nil), w.db.Instance.MetricDatabaseConnections(nil)),
				graph("Database free storage (bytes)", w.db.Instance.MetricFreeStorageSpace(nil)),
			},
			{
				graph("Daily trigger: invocations and failures", events("Invocations"), events("FailedInvocations")),
				graph("Fetch runs succeeded (hourly), failed or partial; cron 401s", fetchSucceeded, fetchFailed, cron401),
				awscloudwatch.NewLogQueryWidget(&awscloudwatch.LogQueryWidgetProps{
					Title:         jsii.String("Fetch runs"),
					LogGroupNames: jsii.Strings(*w.service.LogGroup.LogGroupName()),
					QueryString: jsii.String(`fields @timestamp, status, rows_written, windows, error
| filter msg = "fetch run finished"
| sort @timestamp desc
| limit 20`),
					Width: jsii.Number(8), Height: jsii.Number(6),
				}),
			},
		},
	})
}
