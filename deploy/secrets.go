package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Secrets are the application's secrets. Secrets Manager generates every value at deployment,
// so none is ever known to synthesis, the templates or the repository; the operator replaces
// the CoinGecko key with the real one (docs/deploy.md).
type Secrets struct {
	constructs.Construct
	// CronSecret is CRON_SECRET in the tasks and the Bearer token EventBridge sends.
	CronSecret awssecretsmanager.Secret
	// CoinGeckoAPIKey is COINGECKO_API_KEY. Until the operator sets it, it holds a random
	// placeholder that CoinGecko refuses, so fetch runs fail and the alarm says so.
	CoinGeckoAPIKey awssecretsmanager.Secret
	// OriginVerify is the value of the header CloudFront adds and the load balancer demands,
	// so that requests reaching the load balancer from outside CloudFront get a 403.
	OriginVerify awssecretsmanager.Secret
}

// Names of the secrets under the stack's prefix, as the operator types them.
const (
	cronSecretName      = "cron-secret"
	coinGeckoSecretName = "coingecko-api-key"
	originSecretName    = "origin-verify"
	databaseSecretName  = "database"
)

// NewSecrets creates the three secrets under prefix ("prod-cryptodash/cron-secret", ...),
// names an operator can type in `aws secretsmanager put-secret-value`.
func NewSecrets(scope constructs.Construct, id, prefix string) *Secrets {
	c := constructs.NewConstruct(scope, &id)
	token := func(id, name, description string) awssecretsmanager.Secret {
		return awssecretsmanager.NewSecret(c, jsii.String(id), &awssecretsmanager.SecretProps{
			SecretName:  jsii.String(prefix + "/" + name),
			Description: jsii.String(description),
			// Letters and digits only: the values travel in HTTP headers and environment
			// variables, where punctuation would need quoting.
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				PasswordLength:     jsii.Number(48),
				ExcludePunctuation: jsii.Bool(true),
			},
		})
	}
	s := &Secrets{
		Construct:       c,
		CronSecret:      token("CronSecret", cronSecretName, "cryptodash CRON_SECRET: the Bearer token of POST /api/cron/fetch-data"),
		CoinGeckoAPIKey: token("CoinGeckoApiKey", coinGeckoSecretName, "cryptodash COINGECKO_API_KEY: replace the generated placeholder with the real key"),
		OriginVerify:    token("OriginVerify", originSecretName, "cryptodash: the X-Origin-Verify header value CloudFront sends and the load balancer requires"),
	}
	suppress(s.CronSecret, "SMG4", "Two holders must change together (the EventBridge connection, resolved only when CloudFormation updates it, and the tasks, which read it at start); docs/deploy.md gives the manual rotation.")
	suppress(s.CoinGeckoAPIKey, "SMG4", "CoinGecko issues this key; Secrets Manager cannot make a new one. The operator replaces it (docs/deploy.md).")
	suppress(s.OriginVerify, "SMG4", "Defence in depth behind the VPC origin (the load balancer is internal and admits CloudFront only); changing it needs the CloudFront origin and the listener rule changed in step, which docs/deploy.md describes.")
	return s
}
