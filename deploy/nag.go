package main

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppress records that construct (and what it contains) knowingly breaks cdk-nag's
// AwsSolutions rule, and why; the reason lands in the template's metadata and in cdk-nag's
// report. appliesTo narrows it to those findings of the rule, e.g. "Resource::*".
func suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String("AwsSolutions-" + rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		findings := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			findings[i] = a
		}
		s.AppliesTo = &findings
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}
