package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// databaseName is the database the server connects to; RDS creates it, so the server's
// create-if-missing path never needs the maintenance database.
const databaseName = "cryptodash"

// Database is RDS PostgreSQL 18 in the isolated subnets. Its generated credentials live in
// Secrets Manager, rotated there, and the tasks read them from there (DATABASE_SECRET_ID),
// never from a template.
// Its PostgreSQL and upgrade logs go to CloudWatch Logs, and Performance Insights (Database
// Insights' standard mode, free for 7 days of history) is on.
type Database struct {
	constructs.Construct
	Instance awsrds.DatabaseInstance
	Secret   awssecretsmanager.ISecret
}

// NewDatabase creates the instance. Nothing may reach it until the service is allowed in.
func NewDatabase(scope constructs.Construct, id string, cfg Config, net *Network) *Database {
	c := constructs.NewConstruct(scope, &id)
	// RDS would create its log groups itself, kept forever; made here first, under the names
	// RDS writes to, they get the configured retention without a custom resource.
	identifier := cfg.Prefix()
	var logGroups []constructs.IDependable
	for _, log := range databaseLogs {
		logGroups = append(logGroups, newLogGroup(c, "Logs-"+log, "/aws/rds/instance/"+identifier+"/"+log, cfg))
	}
	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              net.Vpc,
		Description:      jsii.String("cryptodash database: PostgreSQL from the service only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	db := awsrds.NewDatabaseInstance(c, jsii.String("Instance"), &awsrds.DatabaseInstanceProps{
		Engine: awsrds.DatabaseInstanceEngine_Postgres(&awsrds.PostgresInstanceEngineProps{
			// The major version alone: RDS picks the newest 18.x and applies minor upgrades.
			Version: awsrds.PostgresEngineVersion_VER_18(),
		}),
		InstanceType:          awsec2.NewInstanceType(jsii.String(cfg.DBInstanceClass)),
		AllocatedStorage:      jsii.Number(cfg.DBStorageGiB),
		StorageType:           awsrds.StorageType_GP3,
		StorageEncrypted:      jsii.Bool(true),
		InstanceIdentifier:    jsii.String(identifier),
		MultiAz:               jsii.Bool(cfg.DBMultiAZ),
		CloudwatchLogsExports: jsii.Strings(databaseLogs...),
		// Database Insights' standard mode with the free 7 days of Performance Insights.
		EnablePerformanceInsights: jsii.Bool(true),
		DatabaseInsightsMode:      awsrds.DatabaseInsightsMode_STANDARD,
		BackupRetention:           awscdk.Duration_Days(jsii.Number(7)),
		DeletionProtection:        jsii.Bool(true),
		RemovalPolicy:             awscdk.RemovalPolicy_SNAPSHOT,
		PubliclyAccessible:        jsii.Bool(false),
		AutoMinorVersionUpgrade:   jsii.Bool(true),
		Vpc:                       net.Vpc,
		VpcSubnets:                &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetDatabase)},
		SecurityGroups:            &[]awsec2.ISecurityGroup{sg},
		DatabaseName:              jsii.String(databaseName),
		Credentials: awsrds.Credentials_FromGeneratedSecret(jsii.String("cryptodash"), &awsrds.CredentialsBaseOptions{
			SecretName: jsii.String(cfg.Prefix() + "/" + databaseSecretName),
		}),
		Parameters: &map[string]*string{
			// PostgreSQL 18 on RDS forces TLS by default already; saying so keeps it forced
			// if the default ever changes.
			"rds.force_ssl": jsii.String("1"),
			// What the exported log shows beyond errors: statements slower than a second and
			// lock waits longer than deadlock_timeout.
			"log_lock_waits":             jsii.String("1"),
			"log_min_duration_statement": jsii.String("1000"),
		},
	})
	suppress(db, "RDS11", "Another port would hide nothing: only the tasks' security group may reach the isolated subnets, and the port is in every task's DATABASE_URL.")
	if cfg.DBPasswordRotationDays == 0 {
		suppress(db, "SMG4", "Rotation is off by this environment's choice (dbPasswordRotationDays 0 in its env file).")
	}
	if !cfg.DBMultiAZ {
		suppress(db, "RDS3", "Single-AZ by this environment's choice (dbMultiAz false in its env file): it is not production.")
	}
	for _, lg := range logGroups {
		db.Node().AddDependency(lg)
	}
	if cfg.DBPasswordRotationDays > 0 {
		// Secrets Manager's single-user rotation, run from the tasks' subnets and let into the
		// database and the Secrets Manager endpoint.
		db.AddRotationSingleUser(&awsrds.RotationSingleUserOptions{
			AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(cfg.DBPasswordRotationDays)),
			VpcSubnets:         &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetApp)},
			// The function calls Secrets Manager through the endpoint when there is one.
			Endpoint: net.SecretsManager,
		})
		if net.SecretsManager != nil {
			// Naming the endpoint does not let the function in: the endpoint's security
			// group admits only whom it is told of.
			rotation := db.Node().FindChild(jsii.String("RotationSingleUser")).Node().FindChild(jsii.String("SecurityGroup")).(awsec2.ISecurityGroup)
			net.SecretsManager.Connections().AllowDefaultPortFrom(rotation, jsii.String("database password rotation"))
		}
	}
	return &Database{Construct: c, Instance: db, Secret: db.Secret()}
}

// databaseLogs are the PostgreSQL logs RDS exports to CloudWatch Logs.
var databaseLogs = []string{"postgresql", "upgrade"}

// rdsCABundle is where the image holds the RDS certificate authorities (Dockerfile), so
// the server verifies the database's certificate and name.
const rdsCABundle = "/etc/cryptodash/rds-ca.pem"

// URL is DATABASE_URL without credentials: the server takes the user and password from the
// secret DATABASE_SECRET_ID names. verify-full checks that the database's
// certificate comes from an RDS certificate authority and names the endpoint connected to.
func (d *Database) URL() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("postgres://"),
		d.Instance.DbInstanceEndpointAddress(), jsii.String(":"), d.Instance.DbInstanceEndpointPort(),
		jsii.String("/" + databaseName + "?sslmode=verify-full&sslrootcert=" + rdsCABundle),
	})
}
