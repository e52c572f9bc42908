package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Domain is the custom domain, when there is one: its certificates and its Route 53 zone. All
// of it comes from context by id, never by lookup, so synthesis stays offline.
type Domain struct {
	constructs.Construct
	cfg Config
	// Zone is nil when the operator keeps DNS elsewhere.
	Zone awsroute53.IHostedZone
	// ViewerCertificate, in us-east-1, is what CloudFront shows browsers.
	ViewerCertificate awscertificatemanager.ICertificate
	// OriginCertificate, in the stack's region, is what the load balancer shows CloudFront.
	// It covers the viewer name too, because the uncached behaviours forward the Host header.
	OriginCertificate awscertificatemanager.ICertificate
}

// NewDomain returns nil without a custom domain.
func NewDomain(scope constructs.Construct, id string, cfg Config) *Domain {
	if cfg.DomainName == "" {
		return nil
	}
	c := constructs.NewConstruct(scope, &id)
	d := &Domain{Construct: c, cfg: cfg}
	if cfg.HostedZoneID != "" {
		d.Zone = awsroute53.HostedZone_FromHostedZoneAttributes(c, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
			HostedZoneId: jsii.String(cfg.HostedZoneID),
			ZoneName:     jsii.String(cfg.HostedZoneName),
		})
	}
	if cfg.CertificateArn != "" {
		d.ViewerCertificate = awscertificatemanager.Certificate_FromCertificateArn(c, jsii.String("ViewerCertificate"), jsii.String(cfg.CertificateArn))
	} else {
		// Config.Validate admits this only in us-east-1, where one certificate serves both
		// CloudFront and the load balancer.
		d.ViewerCertificate = awscertificatemanager.NewCertificate(c, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
			DomainName:              jsii.String(cfg.DomainName),
			SubjectAlternativeNames: jsii.Strings(cfg.OriginDomainName()),
			Validation:              awscertificatemanager.CertificateValidation_FromDns(d.Zone),
		})
	}
	d.OriginCertificate = d.ViewerCertificate
	if cfg.OriginCertificateArn != "" {
		d.OriginCertificate = awscertificatemanager.Certificate_FromCertificateArn(c, jsii.String("OriginCertificate"), jsii.String(cfg.OriginCertificateArn))
	}
	return d
}

// AddRecords points the viewer name at the distribution and the origin name at the load
// balancer, when the zone is in Route 53; otherwise the stack's outputs say what to create.
func (d *Domain) AddRecords(dist awscloudfront.IDistribution, alb awselasticloadbalancingv2.ILoadBalancerV2) {
	if d == nil || d.Zone == nil {
		return
	}
	toDist := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewCloudFrontTarget(dist))
	awsroute53.NewARecord(d.Construct, jsii.String("ViewerA"), &awsroute53.ARecordProps{Zone: d.Zone, RecordName: jsii.String(d.cfg.DomainName), Target: toDist})
	awsroute53.NewAaaaRecord(d.Construct, jsii.String("ViewerAAAA"), &awsroute53.AaaaRecordProps{Zone: d.Zone, RecordName: jsii.String(d.cfg.DomainName), Target: toDist})
	awsroute53.NewARecord(d.Construct, jsii.String("OriginA"), &awsroute53.ARecordProps{
		Zone:       d.Zone,
		RecordName: jsii.String(d.cfg.OriginDomainName()),
		Target:     awsroute53.RecordTarget_FromAlias(awsroute53targets.NewLoadBalancerTarget(alb, nil)),
	})
}
