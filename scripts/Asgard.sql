-- File: scripts/Asgard.sql
-- The Asgard schema for MySQL/MariaDB (InnoDB, utf8mb4), for operators who create the database
-- by hand:   mysql -u root -p asgard < scripts/Asgard.sql
-- It is exactly what `asgard master` / `asgard web` produce when they migrate an empty database
-- (src/store/schema_mysql.cc; a test compares the two through information_schema), so running
-- this file is optional: the binaries create and upgrade the schema themselves on start,
-- including a database of the original Asgard (its local-time DATETIMEs are converted once).
-- Every DATETIME holds UTC. The monthly tables monitors_YYYYMM (UTC month) are created by the
-- binaries, the current and the next month ahead of time; `master.retention` drops old ones.
--
-- Initial account: admin / 123456 (must be changed at the first login).

SET NAMES utf8mb4;

-- Agents (servers that run tasks). status: 1 online, 0 offline, -1 forbidden.
-- assignment_version grows with every change of what the agent must run.
CREATE TABLE IF NOT EXISTS `agents` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `alias` varchar(32) NOT NULL DEFAULT '',
  `ip` varchar(100) NOT NULL DEFAULT '',
  `port` varchar(100) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  `updated_at` datetime NOT NULL DEFAULT current_timestamp(),
  `master` varchar(100) NOT NULL DEFAULT '',
  `uuid` varchar(100) NOT NULL DEFAULT '',
  `pid` int(10) unsigned NOT NULL DEFAULT 0,
  `last_heartbeat_at` datetime DEFAULT NULL,
  `assignment_version` bigint(20) NOT NULL DEFAULT 0,
  `key_hash` varchar(128) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_ip_port` (`ip`,`port`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Resident processes. desired: 1 run, 2 pause. status (derived, as the original shows it):
-- -1 deleted, 2 paused, -2 unknown/agent offline, -3 fatal, 1 running, 0 stopped.
-- state .. observed_at: what the agent last reported. env: a JSON object. Times in UTC.
CREATE TABLE IF NOT EXISTS `apps` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `group_id` int(11) NOT NULL DEFAULT 0,
  `name` varchar(1000) NOT NULL DEFAULT '',
  `agent_id` int(11) NOT NULL DEFAULT 0,
  `dir` varchar(2000) NOT NULL DEFAULT '',
  `program` varchar(2000) NOT NULL DEFAULT '',
  `args` varchar(2000) NOT NULL DEFAULT '',
  `std_out` varchar(2000) NOT NULL DEFAULT '',
  `std_err` varchar(2000) NOT NULL DEFAULT '',
  `auto_restart` tinyint(4) NOT NULL DEFAULT 0,
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0,
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `creator` int(11) NOT NULL,
  `updated_at` datetime NOT NULL,
  `updator` int(11) NOT NULL,
  `user` varchar(100) NOT NULL DEFAULT '',
  `env` text DEFAULT NULL,
  `stop_signal` varchar(16) NOT NULL DEFAULT 'TERM',
  `stop_timeout` int(11) NOT NULL DEFAULT 10,
  `max_bytes` bigint(20) NOT NULL DEFAULT 52428800,
  `backups` int(11) NOT NULL DEFAULT 10,
  `start_secs` int(11) NOT NULL DEFAULT 1,
  `max_restarts` int(11) NOT NULL DEFAULT 5,
  `backoff_max` int(11) NOT NULL DEFAULT 30,
  `desired` tinyint(4) NOT NULL DEFAULT 2,
  `state` varchar(16) NOT NULL DEFAULT '',
  `pid` int(10) unsigned NOT NULL DEFAULT 0,
  `restarts` int(11) NOT NULL DEFAULT 0,
  `last_exit_status` int(11) DEFAULT NULL,
  `last_exit_signal` varchar(50) NOT NULL DEFAULT '',
  `last_exit_at` datetime DEFAULT NULL,
  `observed_at` datetime DEFAULT NULL,
  `imported_root` tinyint(4) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `idx_agent` (`agent_id`,`status`),
  CONSTRAINT `apps_stop_signal_check` CHECK (`stop_signal` IN (
      'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2',
      'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG',
      'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS', '32', '33', '34', '35', '36',
      '37', '38', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51',
      '52', '53', '54', '55', '56', '57', '58', '59', '60', '61', '62', '63', '64')),
  CONSTRAINT `apps_state_check` CHECK (`state` IN (
      '', 'unknown', 'stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal',
      'scheduled', 'disabled', 'pending', 'done', 'failed', 'missed', 'paused', 'removed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One row per finished run. A report is stored once per (uuid, seq).
CREATE TABLE IF NOT EXISTS `archives` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) unsigned NOT NULL DEFAULT 0,
  `related_id` int(11) unsigned NOT NULL DEFAULT 0,
  `uuid` varchar(100) NOT NULL DEFAULT '',
  `pid` int(11) unsigned NOT NULL DEFAULT 0,
  `begin_time` datetime NOT NULL,
  `end_time` datetime NOT NULL,
  `status` int(11) NOT NULL,
  `signal` varchar(50) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  `seq` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_report` (`uuid`,`seq`),
  KEY `related` (`type`,`related_id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Failures reported by agents, stored once per (uuid, seq).
CREATE TABLE IF NOT EXISTS `exceptions` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` int(11) unsigned NOT NULL DEFAULT 0,
  `related_id` int(11) unsigned NOT NULL DEFAULT 0,
  `desc` varchar(1000) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  `uuid` varchar(100) NOT NULL DEFAULT '',
  `seq` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_report` (`uuid`,`seq`),
  KEY `created_at` (`created_at`),
  KEY `related` (`type`,`related_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Task groups. status: 1 in use, 0 not in use, -1 deleted.
CREATE TABLE IF NOT EXISTS `groups` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(500) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `creator` int(11) NOT NULL,
  `updated_at` datetime NOT NULL,
  `updator` int(11) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Cron jobs (columns as apps, plus spec/timeout/concurrency/retries).
CREATE TABLE IF NOT EXISTS `jobs` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `group_id` int(11) NOT NULL DEFAULT 0,
  `name` varchar(1000) NOT NULL DEFAULT '',
  `agent_id` int(11) NOT NULL DEFAULT 0,
  `dir` varchar(2000) NOT NULL DEFAULT '',
  `program` varchar(2000) NOT NULL DEFAULT '',
  `args` varchar(2000) NOT NULL DEFAULT '',
  `std_out` varchar(2000) NOT NULL DEFAULT '',
  `std_err` varchar(2000) NOT NULL DEFAULT '',
  `spec` varchar(255) NOT NULL DEFAULT '0',
  `timeout` int(11) NOT NULL DEFAULT -1,
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0,
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `creator` int(11) NOT NULL,
  `updated_at` datetime NOT NULL,
  `updator` int(11) NOT NULL,
  `user` varchar(100) NOT NULL DEFAULT '',
  `env` text DEFAULT NULL,
  `stop_signal` varchar(16) NOT NULL DEFAULT 'TERM',
  `stop_timeout` int(11) NOT NULL DEFAULT 10,
  `max_bytes` bigint(20) NOT NULL DEFAULT 52428800,
  `backups` int(11) NOT NULL DEFAULT 10,
  `concurrency` varchar(16) NOT NULL DEFAULT 'forbid',
  `retries` int(11) NOT NULL DEFAULT 0,
  `retry_delay` int(11) NOT NULL DEFAULT 10,
  `desired` tinyint(4) NOT NULL DEFAULT 2,
  `state` varchar(16) NOT NULL DEFAULT '',
  `pid` int(10) unsigned NOT NULL DEFAULT 0,
  `restarts` int(11) NOT NULL DEFAULT 0,
  `last_exit_status` int(11) DEFAULT NULL,
  `last_exit_signal` varchar(50) NOT NULL DEFAULT '',
  `last_exit_at` datetime DEFAULT NULL,
  `observed_at` datetime DEFAULT NULL,
  `imported_root` tinyint(4) NOT NULL DEFAULT 0,
  `max_concurrent` int(11) NOT NULL DEFAULT 10,
  PRIMARY KEY (`id`),
  KEY `idx_agent` (`agent_id`,`status`),
  CONSTRAINT `jobs_stop_signal_check` CHECK (`stop_signal` IN (
      'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2',
      'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG',
      'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS', '32', '33', '34', '35', '36',
      '37', '38', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51',
      '52', '53', '54', '55', '56', '57', '58', '59', '60', '61', '62', '63', '64')),
  CONSTRAINT `jobs_state_check` CHECK (`state` IN (
      '', 'unknown', 'stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal',
      'scheduled', 'disabled', 'pending', 'done', 'failed', 'missed', 'paused', 'removed')),
  CONSTRAINT `jobs_concurrency_check` CHECK (`concurrency` IN ('forbid', 'allow', 'replace'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Operation log of the web console.
CREATE TABLE IF NOT EXISTS `operations` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` int(11) unsigned NOT NULL DEFAULT 0,
  `type` int(11) unsigned NOT NULL DEFAULT 0,
  `related_id` int(11) unsigned NOT NULL DEFAULT 0,
  `action` int(11) unsigned NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `created_at` (`created_at`),
  KEY `idx_user` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Migrations applied; a database created from this file is already at the current version.
CREATE TABLE IF NOT EXISTS `schema_version` (
  `version` int(11) NOT NULL,
  `name` varchar(100) NOT NULL DEFAULT '',
  `applied_at` datetime NOT NULL,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Settings every node shares, by name: `web_secret`, the secret that signs the console's
-- session tokens when web.cookie_salt is not set (generated by the first web node to start).
CREATE TABLE IF NOT EXISTS `settings` (
  `name` varchar(100) NOT NULL,
  `value` varchar(1000) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One-shot timings (columns as apps, plus time/timeout/retries/grace). status 3: done.
CREATE TABLE IF NOT EXISTS `timings` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `group_id` int(11) NOT NULL DEFAULT 0,
  `name` varchar(1000) NOT NULL DEFAULT '',
  `agent_id` int(11) NOT NULL DEFAULT 0,
  `dir` varchar(2000) NOT NULL DEFAULT '',
  `program` varchar(2000) NOT NULL DEFAULT '',
  `args` varchar(2000) NOT NULL DEFAULT '',
  `std_out` varchar(2000) NOT NULL DEFAULT '',
  `std_err` varchar(2000) NOT NULL DEFAULT '',
  `time` datetime NOT NULL,
  `timeout` int(11) NOT NULL DEFAULT -1,
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0,
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `creator` int(11) NOT NULL,
  `updated_at` datetime NOT NULL,
  `updator` int(11) NOT NULL,
  `user` varchar(100) NOT NULL DEFAULT '',
  `env` text DEFAULT NULL,
  `stop_signal` varchar(16) NOT NULL DEFAULT 'TERM',
  `stop_timeout` int(11) NOT NULL DEFAULT 10,
  `max_bytes` bigint(20) NOT NULL DEFAULT 52428800,
  `backups` int(11) NOT NULL DEFAULT 10,
  `retries` int(11) NOT NULL DEFAULT 0,
  `retry_delay` int(11) NOT NULL DEFAULT 10,
  `grace` int(11) NOT NULL DEFAULT 60,
  `desired` tinyint(4) NOT NULL DEFAULT 2,
  `state` varchar(16) NOT NULL DEFAULT '',
  `pid` int(10) unsigned NOT NULL DEFAULT 0,
  `restarts` int(11) NOT NULL DEFAULT 0,
  `last_exit_status` int(11) DEFAULT NULL,
  `last_exit_signal` varchar(50) NOT NULL DEFAULT '',
  `last_exit_at` datetime DEFAULT NULL,
  `observed_at` datetime DEFAULT NULL,
  `imported_root` tinyint(4) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `idx_agent` (`agent_id`,`status`),
  CONSTRAINT `timings_stop_signal_check` CHECK (`stop_signal` IN (
      'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2',
      'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG',
      'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS', '32', '33', '34', '35', '36',
      '37', '38', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51',
      '52', '53', '54', '55', '56', '57', '58', '59', '60', '61', '62', '63', '64')),
  CONSTRAINT `timings_state_check` CHECK (`state` IN (
      '', 'unknown', 'stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal',
      'scheduled', 'disabled', 'pending', 'done', 'failed', 'missed', 'paused', 'removed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Users. password: an argon2id string (or, for accounts of the original Asgard, hex MD5 of
-- "password|salt", accepted once and then replaced). nickname is unique; email and mobile
-- are checked for uniqueness by the application when not empty.
CREATE TABLE IF NOT EXISTS `users` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `nickname` varchar(100) NOT NULL DEFAULT '',
  `avatar` varchar(500) NOT NULL DEFAULT '',
  `email` varchar(200) NOT NULL DEFAULT '',
  `mobile` varchar(50) NOT NULL DEFAULT '',
  `role` varchar(32) NOT NULL DEFAULT '',
  `salt` varchar(50) NOT NULL DEFAULT '',
  `password` varchar(200) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `must_change_password` tinyint(4) NOT NULL DEFAULT 0,
  `run_as` varchar(1000) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_nickname` (`nickname`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4;

-- Sessions of the web console, shared by every web node: the SHA-256 (hex) of each token's
-- random part, never the token. A logout, a password change or a forbidden user deletes rows;
-- expired rows are deleted a few at a time as users log in.
CREATE TABLE IF NOT EXISTS `web_sessions` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) unsigned NOT NULL,
  `forced_password_change` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `expires_at` datetime NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `idx_user` (`user_id`),
  KEY `idx_expires` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Versions 1-7 of src/store/migrate.h are already contained in this file.
INSERT IGNORE INTO `schema_version` (`version`, `name`, `applied_at`) VALUES
  (1, 'original tables', UTC_TIMESTAMP()),
  (2, 'original local times to UTC', UTC_TIMESTAMP()),
  (3, 'asgard schema', UTC_TIMESTAMP()),
  (4, 'initial admin account', UTC_TIMESTAMP()),
  (5, 'security columns', UTC_TIMESTAMP()),
  (6, 'checked task columns', UTC_TIMESTAMP()),
  (7, 'web sessions and settings', UTC_TIMESTAMP());

-- admin / 123456 (argon2id; the console asks for a new password at the first login).
INSERT IGNORE INTO `users` (`nickname`, `avatar`, `email`, `mobile`, `role`, `salt`, `password`,
                            `status`, `created_at`, `updated_at`, `must_change_password`)
VALUES ('admin', '', 'admin@admin.com', '13888888888', 'Administrator', '',
        '$argon2id$v=19$m=65536,t=2,p=1$N6Jq6jIBp7406OTzl87w+A$7ZuyiUUiBJisLF5E1p2OB/JoVrSIHVItYWj6fxhAobA',
        1, UTC_TIMESTAMP(), UTC_TIMESTAMP(), 1);
