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
// Secrets Manager and reach the tasks as secrets (PGUSER, PGPASSWORD), never in a template.
type Database struct {
	constructs.Construct
	Instance awsrds.DatabaseInstance
	Secret   awssecretsmanager.ISecret
}

// NewDatabase creates the instance. Nothing may reach it until the service is allowed in.
func NewDatabase(scope constructs.Construct, id string, cfg Config, net *Network, prefix string) *Database {
	c := constructs.NewConstruct(scope, &id)
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
		InstanceType:            awsec2.NewInstanceType(jsii.String(cfg.DBInstanceClass)),
		AllocatedStorage:        jsii.Number(cfg.DBStorageGiB),
		StorageType:             awsrds.StorageType_GP3,
		StorageEncrypted:        jsii.Bool(true),
		MultiAz:                 jsii.Bool(true),
		BackupRetention:         awscdk.Duration_Days(jsii.Number(7)),
		DeletionProtection:      jsii.Bool(true),
		RemovalPolicy:           awscdk.RemovalPolicy_SNAPSHOT,
		PubliclyAccessible:      jsii.Bool(false),
		AutoMinorVersionUpgrade: jsii.Bool(true),
		Vpc:                     net.Vpc,
		VpcSubnets:              &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetDatabase)},
		SecurityGroups:          &[]awsec2.ISecurityGroup{sg},
		DatabaseName:            jsii.String(databaseName),
		Credentials: awsrds.Credentials_FromGeneratedSecret(jsii.String("cryptodash"), &awsrds.CredentialsBaseOptions{
			SecretName: jsii.String(prefix + "/" + databaseSecretName),
		}),
		// PostgreSQL 18 on RDS forces TLS by default already; saying so keeps it forced if
		// the default ever changes.
		Parameters: &map[string]*string{"rds.force_ssl": jsii.String("1")},
	})
	return &Database{Construct: c, Instance: db, Secret: db.Secret()}
}

// URL is DATABASE_URL without credentials: pgx takes the user and password from PGUSER and
// PGPASSWORD, which the tasks get as secrets. sslmode=require encrypts every connection;
// verify-full would also need the RDS certificate bundle in the image.
func (d *Database) URL() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("postgres://"),
		d.Instance.DbInstanceEndpointAddress(), jsii.String(":"), d.Instance.DbInstanceEndpointPort(),
		jsii.String("/" + databaseName + "?sslmode=require"),
	})
}
