/**
 * Resource types whose destroy (or replace, which is a destroy first or last) loses something that applying
 * the configuration again cannot bring back: stored data, or an identity that the outside world holds on to
 * (name servers delegated at the registrar, an allow-listed IP, a key that encrypted data).
 *
 * Deliberately left out: things fully described by their configuration (security groups, IAM, topics, load
 * balancers, task definitions, bucket policies/lifecycle rules...). Re-creating those costs a blip, not data.
 */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  // Databases and their backups.
  aws_db_instance: "database: its data goes with it",
  aws_rds_cluster: "database cluster: its data goes with it",
  aws_db_snapshot: "database snapshot (a backup)",
  aws_db_cluster_snapshot: "database cluster snapshot (a backup)",
  aws_docdb_cluster: "database cluster: its data goes with it",
  aws_neptune_cluster: "database cluster: its data goes with it",
  aws_redshift_cluster: "data warehouse: its data goes with it",
  aws_dynamodb_table: "table: its items go with it",
  aws_opensearch_domain: "search domain: its indices go with it",
  aws_elasticsearch_domain: "search domain: its indices go with it",
  aws_backup_vault: "backup vault: its recovery points go with it",
  // Redis/Valkey hold Sidekiq queues and sessions for a Rails app, not only cache.
  aws_elasticache_replication_group: "Redis/Valkey: queued jobs and sessions go with it",
  aws_elasticache_cluster: "Redis/Memcached: queued jobs and sessions go with it",
  aws_elasticache_serverless_cache: "Redis/Valkey: queued jobs and sessions go with it",
  aws_memorydb_cluster: "Redis: its data goes with it",
  // Files, images, messages, logs.
  aws_s3_bucket: "bucket: its objects go with it, and the name may be taken by someone else",
  aws_efs_file_system: "file system: its files go with it",
  aws_ebs_volume: "volume: its data goes with it",
  aws_ecr_repository: "image repository: its images go with it",
  aws_sqs_queue: "queue: messages waiting in it are lost",
  aws_kinesis_stream: "stream: unconsumed records are lost",
  aws_cloudwatch_log_group: "log group: its log history goes with it",
  aws_glacier_vault: "archive vault: its archives go with it",
  // Identities others depend on.
  aws_cognito_user_pool: "user pool: its users and their passwords go with it",
  aws_kms_key: "encryption key: whatever it encrypted becomes unreadable",
  aws_secretsmanager_secret: "secret: its stored value and history go with it",
  aws_route53_zone: "DNS zone: new name servers break the registrar's delegation",
  aws_acm_certificate: "certificate: the new one must be validated before HTTPS works again",
  aws_eip: "elastic IP: the address is released and anything allow-listing it breaks",
};

/** Why losing a resource of this type hurts, or undefined when it is rebuilt from configuration alone. */
export function statefulReason(resourceType: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(STATEFUL_TYPES, resourceType)
    ? STATEFUL_TYPES[resourceType]
    : undefined;
}

export const STATEFUL_RESOURCE_TYPES: readonly string[] = Object.keys(STATEFUL_TYPES);
