package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// managedRuleGroups are AWS's baseline for a web application: the common rule set (OWASP Top
// 10 style probes), known bad inputs (Log4Shell and the like) and Amazon's IP reputation list.
var managedRuleGroups = []string{
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesAmazonIpReputationList",
}

// webACL returns what the distribution's WebAclId should be: nil with WAF off, the operator's
// web ACL when given, or a new one. CloudFront accepts only web ACLs created in us-east-1,
// which Config.Validate makes sure of.
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
	rules := make([]any, len(managedRuleGroups))
	for i, name := range managedRuleGroups {
		rules[i] = &awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String(name),
			Priority: jsii.Number(i),
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
					VendorName: jsii.String("AWS"),
					Name:       jsii.String(name),
				},
			},
			// None keeps each group's own block actions.
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			VisibilityConfig: visibility(name),
		}
	}
	acl := awswafv2.NewCfnWebACL(scope, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		VisibilityConfig: visibility("cryptodash"),
		Rules:            &rules,
	})
	return acl.AttrArn()
}
