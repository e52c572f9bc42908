package main

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Config is every choice an operator makes about the system, read from CDK context
// (`-c key=value` or cdk.json). The defaults synthesise on a machine with no AWS account and
// deploy the seed's system in us-east-1 without a custom domain.
type Config struct {
	// Env names the environment (prod, staging, ...): every name the stack gives a resource
	// starts with Prefix(), so several environments share an account and region.
	Env string
	// Deploying is set by `make deploy`: what synthesis only warns about (alarms going to
	// nobody) then stops the deploy.
	Deploying bool

	// Region is where the stack goes. It is part of the stack's environment so that region
	// rules (WAF and CloudFront certificates live in us-east-1) are checked at synthesis; the
	// account stays open, so synthesis needs no credentials and no lookups.
	Region string

	// DomainName is the dashboard's public host name, e.g. dash.example.com. Empty means the
	// distribution's own *.cloudfront.net name, with CloudFront reaching the internal ALB over
	// HTTP inside the VPC (a VPC origin: nothing of that hop crosses the internet).
	DomainName string
	// HostedZoneID and HostedZoneName name the Route 53 zone that holds DomainName; with them
	// the stack creates the DNS records and, in us-east-1, the certificate.
	HostedZoneID   string
	HostedZoneName string
	// CertificateArn is an ACM certificate in us-east-1 for DomainName, used by CloudFront.
	CertificateArn string
	// OriginCertificateArn is an ACM certificate in Region for DomainName and its origin
	// name, used by the ALB; it defaults to CertificateArn, which works in us-east-1 only.
	OriginCertificateArn string

	// OriginPrefixListID is the managed prefix list of CloudFront's origin-facing addresses
	// in Region (com.amazonaws.global.cloudfront.origin-facing), which VPC origins connect
	// from too; its id differs per region.
	OriginPrefixListID string

	// AlarmEmail is subscribed to the alarm topic. Without it the alarms go to nobody, which
	// synthesis warns about and a deploy refuses.
	AlarmEmail string

	DesiredCount int
	MaxCount     int
	CPU          int // task CPU units: 256, 512, 1024, ...
	MemoryMiB    int

	// ARM64 runs the tasks on Graviton, about 20% cheaper than x86_64 for the same size.
	ARM64 bool

	DBInstanceClass string
	DBStorageGiB    int
	DBMultiAZ       bool
	// DBConnectionsAlarm is the connection count the database alarm fires at: set it below
	// the instance class's max_connections (about 110 for 1 GiB of memory).
	DBConnectionsAlarm int
	// DBPasswordRotationDays is how often Secrets Manager rotates the database password; 0
	// turns rotation off. The tasks read the secret for every new connection, so a rotation
	// needs no restart.
	DBPasswordRotationDays int

	// NatGateways is 1 (a way out to CoinGecko from both zones through one zone) or 2 (one
	// per zone); AWS services are reached through VPC endpoints when VPCEndpoints is set.
	NatGateways int
	// VPCEndpoints adds interface endpoints for ECR, CloudWatch Logs and Secrets Manager, so
	// tasks start and log even while the one NAT gateway's zone is down.
	VPCEndpoints bool

	// LogRetentionDays is how long every log is kept: the CloudWatch log groups, and the
	// CloudFront, ALB and VPC flow logs in the log bucket.
	LogRetentionDays int

	WAF bool
	// WebACLArn is an existing CLOUDFRONT-scope web ACL, needed for WAF outside us-east-1.
	WebACLArn string
	// WAFRateLimit is how many requests one client address may send in 5 minutes before the
	// web ACL blocks it for a while.
	WAFRateLimit int

	CoinGeckoPlan      string
	CoinGeckoRateLimit int
	LogLevel           string
}

// usEast1 is the only region whose resources CloudFront accepts for viewer certificates and
// web ACLs.
const usEast1 = "us-east-1"

// cloudFrontOriginFacingUSEast1 is the id of com.amazonaws.global.cloudfront.origin-facing in
// us-east-1 (`aws ec2 describe-managed-prefix-lists --region us-east-1`).
const cloudFrontOriginFacingUSEast1 = "pl-3b927c52"

// DefaultConfig is the seed's system on Graviton: two 0.5 vCPU / 1 GB ARM64 tasks scaling
// to four, a Multi-AZ db.t4g.micro with 20 GB, one NAT gateway and VPC endpoints, WAF on,
// logs kept 90 days, the CoinGecko Demo plan's 30 calls a minute.
func DefaultConfig() Config {
	return Config{
		Env:                    defaultEnv,
		Region:                 usEast1,
		OriginPrefixListID:     cloudFrontOriginFacingUSEast1,
		DesiredCount:           2,
		MaxCount:               4,
		CPU:                    512,
		MemoryMiB:              1024,
		ARM64:                  true,
		DBInstanceClass:        "t4g.micro",
		DBStorageGiB:           20,
		DBMultiAZ:              true,
		DBConnectionsAlarm:     80,
		DBPasswordRotationDays: 30,
		NatGateways:            1,
		VPCEndpoints:           true,
		LogRetentionDays:       90,
		WAF:                    true,
		WAFRateLimit:           1000,
		CoinGeckoPlan:          "demo",
		CoinGeckoRateLimit:     30,
		LogLevel:               "info",
	}
}

// defaultEnv is the environment of a synthesis given no env file, as in the tests.
const defaultEnv = "dev"

// Prefix starts every name the stack gives: "prod-cryptodash".
func (c Config) Prefix() string { return c.Env + "-cryptodash" }

// ConfigFromContext reads every key of Config from CDK context over the defaults and
// returns every problem at once, each naming its key.
func ConfigFromContext(node constructs.Node) (Config, error) {
	return configFrom(func(key string) any { return node.TryGetContext(jsii.String(key)) })
}

// configFrom is ConfigFromContext over any source of context values.
func configFrom(get func(key string) any) (Config, error) {
	c := DefaultConfig()
	r := contextReader{get: get}
	r.str("env", &c.Env)
	r.boolean("deploying", &c.Deploying)
	r.str("region", &c.Region)
	r.str("domainName", &c.DomainName)
	r.str("hostedZoneId", &c.HostedZoneID)
	r.str("hostedZoneName", &c.HostedZoneName)
	r.str("certificateArn", &c.CertificateArn)
	r.str("originCertificateArn", &c.OriginCertificateArn)
	r.str("originPrefixListId", &c.OriginPrefixListID)
	r.str("alarmEmail", &c.AlarmEmail)
	r.integer("desiredCount", &c.DesiredCount)
	r.integer("maxCount", &c.MaxCount)
	r.integer("cpu", &c.CPU)
	r.integer("memoryMiB", &c.MemoryMiB)
	r.boolean("arm64", &c.ARM64)
	r.str("dbInstanceClass", &c.DBInstanceClass)
	r.integer("dbStorageGiB", &c.DBStorageGiB)
	r.boolean("dbMultiAz", &c.DBMultiAZ)
	r.integer("dbConnectionsAlarm", &c.DBConnectionsAlarm)
	r.integer("dbPasswordRotationDays", &c.DBPasswordRotationDays)
	r.integer("natGateways", &c.NatGateways)
	r.boolean("vpcEndpoints", &c.VPCEndpoints)
	r.integer("logRetentionDays", &c.LogRetentionDays)
	r.boolean("waf", &c.WAF)
	r.str("webAclArn", &c.WebACLArn)
	r.integer("wafRateLimit", &c.WAFRateLimit)
	r.str("coingeckoPlan", &c.CoinGeckoPlan)
	r.integer("coingeckoRateLimit", &c.CoinGeckoRateLimit)
	r.str("logLevel", &c.LogLevel)
	return c, errors.Join(append(r.errs, c.Validate()...)...)
}

// configKeys are the keys configFrom reads, in the order it reads them: an env file may hold
// these and nothing else, so a misspelt key is an error rather than a silent default.
func configKeys() []string {
	var keys []string
	_, _ = configFrom(func(key string) any {
		keys = append(keys, key)
		return nil
	})
	return keys
}

// Validate lists every inconsistent choice, so one synthesis tells the operator everything
// to fix instead of a deployment failing half-way.
func (c Config) Validate() []error {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if !envName.MatchString(c.Env) {
		fail("env", "a short lower-case name such as prod or staging (letters and digits, at most 12)")
	}
	if c.Region == "" {
		fail("region", "required, e.g. us-east-1")
	}
	if c.Deploying && c.AlarmEmail == "" {
		fail("alarmEmail", "required to deploy: without it every alarm goes to nobody")
	}
	if c.Deploying && c.DomainName == "" {
		fail("domainName", "required to deploy: CloudFront's own *.cloudfront.net name lets viewers in with TLS 1.0")
	}
	if !strings.HasPrefix(c.OriginPrefixListID, "pl-") {
		fail("originPrefixListId", "the id (pl-...) of com.amazonaws.global.cloudfront.origin-facing in %s", c.Region)
	}
	if c.AlarmEmail != "" {
		if _, err := mail.ParseAddress(c.AlarmEmail); err != nil {
			fail("alarmEmail", "an e-mail address, or nothing for no subscription")
		}
	}
	if c.DesiredCount < 1 {
		fail("desiredCount", "at least 1")
	}
	if c.MaxCount < c.DesiredCount {
		fail("maxCount", "at least desiredCount (%d)", c.DesiredCount)
	}
	if !validFargateSize(c.CPU, c.MemoryMiB) {
		fail("memoryMiB", "a Fargate size for cpu %d (e.g. cpu 512 with 1024-4096 MiB in steps of 1024)", c.CPU)
	}
	if c.DBInstanceClass == "" || strings.HasPrefix(c.DBInstanceClass, "db.") {
		fail("dbInstanceClass", "an instance class without the db. prefix, e.g. t3.micro")
	}
	if c.DBStorageGiB < 20 {
		fail("dbStorageGiB", "at least 20, RDS's minimum for PostgreSQL")
	}
	if c.DBConnectionsAlarm < 1 {
		fail("dbConnectionsAlarm", "a connection count, at least 1")
	}
	if c.DBPasswordRotationDays < 0 || c.DBPasswordRotationDays > 365 {
		fail("dbPasswordRotationDays", "0 (off) or 1 to 365 days")
	}
	if c.NatGateways < 1 || c.NatGateways > 2 {
		fail("natGateways", "1 or 2: the tasks need a way out to CoinGecko")
	}
	if !slices.Contains(logRetentions, c.LogRetentionDays) {
		fail("logRetentionDays", "one of CloudWatch's retentions: %v", logRetentions)
	}
	if c.WAFRateLimit < 100 || c.WAFRateLimit > 2_000_000_000 {
		fail("wafRateLimit", "requests per client address in 5 minutes, 100 to 2000000000")
	}
	if c.CoinGeckoPlan != "demo" && c.CoinGeckoPlan != "pro" {
		fail("coingeckoPlan", "demo or pro")
	}
	if c.CoinGeckoRateLimit < 1 {
		fail("coingeckoRateLimit", "calls a minute, at least 1")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("logLevel", "debug, info, warn or error")
	}
	if c.WAF && c.WebACLArn == "" && c.Region != usEast1 {
		fail("webAclArn", "required for WAF outside %s (CloudFront takes web ACLs from there only), or set waf=false", usEast1)
	}

	if c.DomainName == "" {
		for key, v := range map[string]string{"hostedZoneId": c.HostedZoneID, "certificateArn": c.CertificateArn, "originCertificateArn": c.OriginCertificateArn} {
			if v != "" {
				fail(key, "needs domainName")
			}
		}
		return errs
	}
	if (c.HostedZoneID == "") != (c.HostedZoneName == "") {
		fail("hostedZoneName", "set together with hostedZoneId")
	}
	if c.HostedZoneName != "" && c.DomainName != c.HostedZoneName && !strings.HasSuffix(c.DomainName, "."+c.HostedZoneName) {
		fail("domainName", "must be in the hosted zone %s", c.HostedZoneName)
	}
	if c.CertificateArn == "" && c.HostedZoneID == "" {
		fail("certificateArn", "required with domainName unless hostedZoneId is given to create one")
	}
	if c.CertificateArn == "" && c.Region != usEast1 {
		fail("certificateArn", "required outside %s: CloudFront takes certificates from %s only", usEast1, usEast1)
	}
	if c.CertificateArn != "" && !strings.Contains(c.CertificateArn, ":"+usEast1+":") {
		fail("certificateArn", "must be a certificate in %s, where CloudFront takes them from", usEast1)
	}
	if c.OriginCertificateArn == "" && c.CertificateArn != "" && c.Region != usEast1 {
		fail("originCertificateArn", "required outside %s: the load balancer needs a certificate in %s", usEast1, c.Region)
	}
	return errs
}

// OriginDomainName is the name CloudFront reaches the load balancer by when there is a
// custom domain: TLS to the origin needs a name the certificate covers.
func (c Config) OriginDomainName() string {
	if c.DomainName == "" {
		return ""
	}
	return "origin." + c.DomainName
}

// envName is what an environment may be called: it starts resource names, some of which
// (RDS identifiers, log groups) allow little else and little length.
var envName = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)

// logRetentions are the retentions CloudWatch Logs accepts, in days, up to ten years.
var logRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// validFargateSize reports whether Fargate offers the cpu and memory pair.
func validFargateSize(cpu, mem int) bool {
	step := 1024
	lo, hi := 0, 0
	switch cpu {
	case 256:
		return mem == 512 || mem == 1024 || mem == 2048
	case 512:
		lo, hi = 1024, 4096
	case 1024:
		lo, hi = 2048, 8192
	case 2048:
		lo, hi = 4096, 16384
	case 4096:
		lo, hi = 8192, 30720
	default:
		return false
	}
	return mem >= lo && mem <= hi && mem%step == 0
}

// contextReader turns context values into typed fields. Values arrive as strings from
// `-c key=value` and as JSON numbers or booleans from cdk.json, so both are accepted.
type contextReader struct {
	get  func(string) any
	errs []error
}

func (r *contextReader) str(key string, dst *string) {
	switch v := r.get(key).(type) {
	case nil:
	case string:
		*dst = strings.TrimSpace(v)
	default:
		r.errs = append(r.errs, fmt.Errorf("%s: a string, not %v", key, v))
	}
}

func (r *contextReader) integer(key string, dst *int) {
	switch v := r.get(key).(type) {
	case nil:
	case float64:
		if v != float64(int(v)) {
			r.errs = append(r.errs, fmt.Errorf("%s: a whole number, not %v", key, v))
			return
		}
		*dst = int(v)
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: a whole number, not %q", key, v))
			return
		}
		*dst = n
	default:
		r.errs = append(r.errs, fmt.Errorf("%s: a whole number, not %v", key, v))
	}
}

func (r *contextReader) boolean(key string, dst *bool) {
	switch v := r.get(key).(type) {
	case nil:
	case bool:
		*dst = v
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: true or false, not %q", key, v))
			return
		}
		*dst = b
	default:
		r.errs = append(r.errs, fmt.Errorf("%s: true or false, not %v", key, v))
	}
}
