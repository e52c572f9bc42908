package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestDatabase_Postgres18MultiAZEncryptedBackedUpProtected(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::RDS::DBInstance"), map[string]any{
			"Engine":                "postgres",
			"EngineVersion":         assertions.Match_StringLikeRegexp(str(`^18(\.|$)`)),
			"DBInstanceIdentifier":  "dev-cryptodash",
			"DBInstanceClass":       "db.t4g.micro",
			"AllocatedStorage":      "20",
			"MultiAZ":               true,
			"StorageEncrypted":      true,
			"BackupRetentionPeriod": 7,
			"DeletionProtection":    true,
			"PubliclyAccessible":    false,
			"DBName":                "cryptodash",
		})
	})
	expect(t, func() {
		s.tmpl.HasResource(str("AWS::RDS::DBInstance"), map[string]any{"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"})
	})
}

// Every log the database writes reaches CloudWatch Logs, in groups made beforehand with the
// configured retention; Performance Insights is on.
func TestDatabase_LogsAndInsights(t *testing.T) {
	s := synth(t, nil)
	id, db := s.only(t, "AWS::RDS::DBInstance")
	if js(db["EnableCloudwatchLogsExports"]) != `["postgresql","upgrade"]` || db["EnablePerformanceInsights"] != true ||
		db["DatabaseInsightsMode"] != "standard" {
		t.Errorf("database %s", js(db))
	}
	dependsOn := js(s.raw["Resources"].(map[string]any)[id].(map[string]any)["DependsOn"])
	for _, log := range []string{"postgresql", "upgrade"} {
		expect(t, func() {
			s.tmpl.HasResourceProperties(str("AWS::Logs::LogGroup"), map[string]any{
				"LogGroupName":    "/aws/rds/instance/dev-cryptodash/" + log,
				"RetentionInDays": 90,
			})
		})
		if group := s.idOf(t, "AWS::Logs::LogGroup", "DatabaseLogs"+log); !strings.Contains(dependsOn, group) {
			t.Errorf("the database does not wait for its %s log group: DependsOn %s", log, dependsOn)
		}
	}
}

// Secrets Manager rotates the password every 30 days unless an environment turns it off; the
// tasks read the secret for every new connection (TestService_ReadsTheRotatedDatabaseSecretItself).
func TestDatabase_PasswordRotation(t *testing.T) {
	expect(t, func() {
		synth(t, map[string]any{"dbPasswordRotationDays": "0"}).tmpl.ResourceCountIs(str("AWS::SecretsManager::RotationSchedule"), num(0))
	})
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::SecretsManager::RotationSchedule"), map[string]any{
			"SecretId":      ref(s.idOf(t, "AWS::SecretsManager::SecretTargetAttachment", "DatabaseInstanceSecretAttachment")),
			"RotationRules": map[string]any{"ScheduleExpression": "rate(30 days)"},
		})
	})
}

func TestDatabase_RequiresTLS(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::RDS::DBParameterGroup"), map[string]any{
			"Family":     "postgres18",
			"Parameters": map[string]any{"rds.force_ssl": "1"},
		})
	})
	_, task := s.only(t, "AWS::ECS::TaskDefinition")
	// js writes & as JSON's \u0026.
	url := strings.ReplaceAll(js(envOf(task)["DATABASE_URL"]), `\u0026`, "&")
	if !strings.Contains(url, "sslmode=verify-full&sslrootcert=/etc/cryptodash/rds-ca.pem") {
		t.Errorf("DATABASE_URL %s does not verify the database's certificate against the RDS bundle", url)
	}
}

func TestDatabase_InIsolatedSubnets(t *testing.T) {
	s := synth(t, nil)
	_, group := s.only(t, "AWS::RDS::DBSubnetGroup")
	for _, id := range group["SubnetIds"].([]any) {
		subnet := s.raw["Resources"].(map[string]any)[id.(map[string]any)["Ref"].(string)].(map[string]any)
		if kind := tagValue(subnet["Properties"].(map[string]any), "aws-cdk:subnet-type"); kind != "Isolated" {
			t.Errorf("database subnet %v is %s, want Isolated", id, kind)
		}
	}
}

func TestDatabase_ReachableOnlyFromTheService(t *testing.T) {
	s := synth(t, nil)
	dbSG := s.idOf(t, "AWS::EC2::SecurityGroup", "DatabaseSecurityGroup")
	serviceSG := s.idOf(t, "AWS::EC2::SecurityGroup", "ServiceSecurityGroup")
	sg := s.raw["Resources"].(map[string]any)[dbSG].(map[string]any)["Properties"].(map[string]any)
	if sg["SecurityGroupIngress"] != nil {
		t.Errorf("database security group has inline ingress %s", js(sg["SecurityGroupIngress"]))
	}
	var from []string
	for _, r := range s.resources("AWS::EC2::SecurityGroupIngress") {
		p := r["Properties"].(map[string]any)
		if js(p["GroupId"]) == js(map[string]any{"Fn::GetAtt": []any{dbSG, "GroupId"}}) {
			from = append(from, js(p["SourceSecurityGroupId"]))
		}
	}
	// The rotation function logs in to change the password.
	rotationSG := s.idOf(t, "AWS::EC2::SecurityGroup", "DatabaseInstanceRotationSingleUserSecurityGroup")
	want := []string{js(map[string]any{"Fn::GetAtt": []any{rotationSG, "GroupId"}}), js(map[string]any{"Fn::GetAtt": []any{serviceSG, "GroupId"}})}
	sort.Strings(from)
	if js(from) != js(want) {
		t.Errorf("database ingress from %v, want only the service's and the rotation's groups %v", from, want)
	}
}

func TestDatabase_CredentialsGeneratedIntoSecretsManager(t *testing.T) {
	s := synth(t, nil)
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::SecretsManager::Secret"), map[string]any{
			"Name": "dev-cryptodash/database",
			"GenerateSecretString": assertions.Match_ObjectLike(&map[string]any{
				"GenerateStringKey":    "password",
				"SecretStringTemplate": `{"username":"cryptodash"}`,
			}),
		})
	})
	_, db := s.only(t, "AWS::RDS::DBInstance")
	if pw := js(db["MasterUserPassword"]); !strings.Contains(pw, "{{resolve:secretsmanager:") {
		t.Errorf("MasterUserPassword %s is not a dynamic reference", pw)
	}
}

func TestDatabase_SizeFromContext(t *testing.T) {
	s := synth(t, map[string]any{"dbInstanceClass": "t4g.small", "dbStorageGiB": 50})
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::RDS::DBInstance"), map[string]any{
			"DBInstanceClass":  "db.t4g.small",
			"AllocatedStorage": "50",
		})
	})
	// The free-storage alarm follows the size: a tenth of 50 GiB.
	expect(t, func() {
		s.tmpl.HasResourceProperties(str("AWS::CloudWatch::Alarm"), map[string]any{
			"MetricName": "FreeStorageSpace",
			"Threshold":  jsii.Number(5 * (1 << 30)),
		})
	})
}
