package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// sessionCookie is the server's login session cookie (internal/web/login.go).
const sessionCookie = "cryptodash_session"

// cachedQueryParams are the query parameters the server reads on the routes CloudFront
// caches (internal/web CachedQueryParams; a test there holds the two lists equal). Only these
// enter the cache key and reach the origin: a made-up parameter ("?cb=123") is dropped at the
// edge, so it can neither make a new key nor cost a render. More than ten names need the
// "query strings per cache policy" and "per origin request policy" quotas raised.
var cachedQueryParams = []string{
	"breakdown", "coinIds", "coins", "cols", "currencies", "currency", "currencyCodes", "dateFrom", "dateTo",
	"dir", "format", "from", "granularity", "mode", "orig", "page", "range", "scale", "shown_from", "shown_to",
	"sort", "to",
}

// uncachedPaths are answered by the server with no-store and act for one caller (cron,
// status, login, metrics): CloudFront passes them through with every method, header
// (Authorization above all), cookie and query string. They are the personal routes of the
// server's route table (internal/web UncachedCDNPaths; a test there holds this list, and
// docs/cloudfront.nginx.conf's, equal to it).
var uncachedPaths = []string{"/api/cron/*", "/status", "/partials/status", "/login", "/logout", "/metrics"}

// Edge is the CloudFront distribution in front of the load balancer, with its optional web ACL.
type Edge struct {
	constructs.Construct
	Distribution awscloudfront.Distribution
	// Host is the name viewers and EventBridge use: the custom domain or the distribution's.
	Host *string
}

// NewEdge creates the distribution. What it caches follows the server's own Cache-Control:
// static files say immutable for a year; pages, partials and API reads say s-maxage=300; the
// rest says no-store.
func NewEdge(scope constructs.Construct, id string, cfg Config, lb *LoadBalancer, logs *Logs, secrets *Secrets, dom *Domain) *Edge {
	c := constructs.NewConstruct(scope, &id)

	// A VPC origin: CloudFront reaches the internal ALB through its own network interfaces
	// in the VPC, so no hop crosses the internet. With a custom domain the hop is TLS as well,
	// to the origin name the ALB's certificate covers.
	originProps := &awscloudfrontorigins.VpcOriginWithEndpointProps{
		VpcOriginName:  jsii.String(cfg.Prefix()),
		ProtocolPolicy: awscloudfront.OriginProtocolPolicy_HTTP_ONLY,
		HttpPort:       jsii.Number(80),
		CustomHeaders: &map[string]*string{
			// A dynamic reference, resolved by CloudFormation at deployment.
			originVerifyHeader: secrets.OriginVerify.SecretValue().UnsafeUnwrap(),
		},
	}
	if lb.HTTPS {
		originProps.ProtocolPolicy = awscloudfront.OriginProtocolPolicy_HTTPS_ONLY
		originProps.HttpsPort = jsii.Number(443)
		originProps.OriginSslProtocols = &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2}
		originProps.DomainName = jsii.String(cfg.OriginDomainName())
	}
	origin := awscloudfrontorigins.VpcOrigin_WithApplicationLoadBalancer(lb.ALB, originProps)

	// Pages, partials and API reads: the query string is the view state, so its known
	// parameters are the key; no header or cookie is, because no URL answers differently to
	// them. A TTL of 0
	// by default means only what the server marks cacheable (s-maxage) is kept.
	pages := awscloudfront.NewCachePolicy(c, jsii.String("Pages"), &awscloudfront.CachePolicyProps{
		Comment:                    jsii.String("cryptodash pages, partials and API reads: the server's s-maxage, keyed on the known query parameters"),
		DefaultTtl:                 awscdk.Duration_Seconds(jsii.Number(0)),
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		MaxTtl:                     awscdk.Duration_Days(jsii.Number(1)),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_AllowList(*jsii.Strings(cachedQueryParams...)...),
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_None(),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
	})
	// The server logs the viewer's address from CloudFront-Viewer-Address, and sends HSTS when
	// CloudFront-Forwarded-Proto says the viewer came over https (the ALB's X-Forwarded-Proto
	// only knows CloudFront's hop); both reach the origin without entering the cache key.
	viewerAddress := awscloudfront.NewOriginRequestPolicy(c, jsii.String("ViewerAddress"), &awscloudfront.OriginRequestPolicyProps{
		Comment: jsii.String("cryptodash cached routes: the known query parameters, the viewer's address and protocol"),
		// The same parameters as the key: the origin redirects a URL with any other, and that
		// redirect kept under the key of the URL without it would loop.
		QueryStringBehavior: awscloudfront.OriginRequestQueryStringBehavior_AllowList(*jsii.Strings(cachedQueryParams...)...),
		HeaderBehavior:      awscloudfront.OriginRequestHeaderBehavior_AllowList(jsii.String("CloudFront-Viewer-Address"), jsii.String("CloudFront-Forwarded-Proto")),
		// The session cookie reaches the server but stays out of the cache key: without a
		// login there is no such cookie, and with one every answer is Cache-Control: private,
		// which CloudFront does not keep, so a signed-in page is never served to anyone else.
		CookieBehavior: awscloudfront.OriginRequestCookieBehavior_AllowList(jsii.String(sessionCookie)),
	})
	// Forwarding every viewer header is the only way an origin request policy may pass
	// Authorization on (naming it is refused), and only with caching disabled is that safe.
	allViewer := awscloudfront.NewOriginRequestPolicy(c, jsii.String("AllViewer"), &awscloudfront.OriginRequestPolicyProps{
		Comment:             jsii.String("cryptodash uncached routes: every viewer header, cookie and query string, and the viewer's address and protocol"),
		QueryStringBehavior: awscloudfront.OriginRequestQueryStringBehavior_All(),
		HeaderBehavior:      awscloudfront.OriginRequestHeaderBehavior_All(jsii.String("CloudFront-Viewer-Address"), jsii.String("CloudFront-Forwarded-Proto")),
		CookieBehavior:      awscloudfront.OriginRequestCookieBehavior_All(),
	})

	uncached := &awscloudfront.BehaviorOptions{
		Origin:               origin,
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
		OriginRequestPolicy:  allViewer,
		Compress:             jsii.Bool(true),
	}
	behaviors := map[string]*awscloudfront.BehaviorOptions{
		"/static/*": {
			Origin:               origin,
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			// Honours the server's max-age of a year; the URLs carry content hashes.
			CachePolicy: awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			Compress:    jsii.Bool(true),
		},
	}
	for _, p := range uncachedPaths {
		behaviors[p] = uncached
	}

	props := &awscloudfront.DistributionProps{
		Comment: jsii.String("cryptodash"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:               origin,
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:          pages,
			OriginRequestPolicy:  viewerAddress,
			Compress:             jsii.Bool(true),
		},
		AdditionalBehaviors: &behaviors,
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		WebAclId:            webACL(c, cfg),
		EnableLogging:       jsii.Bool(true),
		LogBucket:           logs.Bucket,
		LogFilePrefix:       jsii.String(logPrefixCloudFront),
	}
	// Without a custom domain CloudFront shows its own *.cloudfront.net certificate, which
	// accepts TLS 1.0 whatever the stack says; Config.Validate refuses to deploy that.
	if dom != nil {
		props.DomainNames = jsii.Strings(cfg.DomainName)
		props.Certificate = dom.ViewerCertificate
		props.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	}
	dist := awscloudfront.NewDistribution(c, jsii.String("Distribution"), props)
	suppress(dist, "CFR1", "A public price dashboard: no country is to be kept out.")
	if !cfg.WAF {
		suppress(dist, "CFR2", "WAF is off by this environment's choice (waf false in its env file).")
	}
	if dom == nil {
		suppress(dist, "CFR4", "Without a custom domain CloudFront's default certificate allows TLS 1.0, whatever the stack says; Config.Validate refuses to deploy that (make deploy), so only synthesis sees it.")
	}
	host := dist.DistributionDomainName()
	if dom != nil {
		host = jsii.String(cfg.DomainName)
	}
	return &Edge{Construct: c, Distribution: dist, Host: host}
}
