package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// managedRuleGroups are AWS's baseline for a web application backed by SQL: Amazon's IP
// reputation list, the common rule set (OWASP Top 10 style probes), known bad inputs
// (Log4Shell and the like) and SQL injection.
var managedRuleGroups = []string{
	"AWSManagedRulesAmazonIpReputationList",
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesSQLiRuleSet",
}

// rateRuleName is the rule that blocks a client address sending more than WAFRateLimit
// requests in 5 minutes.
const rateRuleName = "RateLimitPerClient"

// webACL returns what the distribution's WebAclId should be: nil with WAF off, the operator's
// web ACL when given, or a new one whose log goes to CloudWatch Logs. CloudFront accepts only
// web ACLs created in us-east-1, which Config.Validate makes sure of.
func webACL(scope constructs.Construct, cfg Config) *string {
	switch {
	case !cfg.WAF:
		return nil
	case cfg.WebACLArn != "":
		return jsii.String(cfg.WebACLArn)
	}
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(name),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	// The rate rule comes first, so a flood is cut off before the managed groups spend
	// their capacity on it. CloudFront hands WAF the viewer's own address.
	rules := []any{&awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String(rateRuleName),
		Priority: jsii.Number(0),
		Statement: &awswafv2.CfnWebACL_StatementProperty{
			RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
				Limit:               jsii.Number(cfg.WAFRateLimit),
				EvaluationWindowSec: jsii.Number(300),
				AggregateKeyType:    jsii.String("IP"),
			},
		},
		Action:           &awswafv2.CfnWebACL_RuleActionProperty{Block: map[string]any{}},
		VisibilityConfig: visibility(rateRuleName),
	}}
	for i, name := range managedRuleGroups {
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String(name),
			Priority: jsii.Number(i + 1),
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
					VendorName: jsii.String("AWS"),
					Name:       jsii.String(name),
				},
			},
			// None keeps each group's own block actions.
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			VisibilityConfig: visibility(name),
		})
	}
	acl := awswafv2.NewCfnWebACL(scope, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Name:             jsii.String(cfg.Prefix()),
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		VisibilityConfig: visibility(cfg.Prefix()),
		Rules:            &rules,
	})

	// WAF logs only to log groups whose name starts aws-waf-logs-, and wants the group's ARN
	// without the ":*" the log group construct adds.
	name := "aws-waf-logs-" + cfg.Prefix()
	logs := newLogGroup(scope, "WebAclLogs", name, cfg)
	logging := awswafv2.NewCfnLoggingConfiguration(scope, jsii.String("WebAclLogging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn: acl.AttrArn(),
		LogDestinationConfigs: &[]any{awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("logs"),
			Resource:     jsii.String("log-group"),
			ResourceName: jsii.String(name),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	})
	// The ARN above is built from the name, so CloudFormation would not know to create the
	// group first.
	logging.Node().AddDependency(logs)
	return acl.AttrArn()
}
