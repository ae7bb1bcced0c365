-- File: original_asgard.sql
-- Test fixture: a database of the ORIGINAL Asgard as ORIGINAL.md 8.1 describes its
-- scripts/Asgard.sql (no agents.master, archives.related_id tinyint, only monitors_202005..07,
-- no unique keys, MD5+salt passwords), with rows written in the writer's LOCAL time
-- (Europe/Berlin in the test: +01:00 until 2020-03-29, +02:00 after). original_upgrade_test.cc
-- loads it and checks that the migrations upgrade it in place.

SET NAMES utf8mb4;

CREATE TABLE `agents` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '实例ID',
  `alias` varchar(32) NOT NULL DEFAULT '' COMMENT '别名',
  `ip` varchar(100) NOT NULL DEFAULT '' COMMENT 'IP地址',
  `port` varchar(100) NOT NULL DEFAULT '' COMMENT '端口号',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL DEFAULT current_timestamp() COMMENT '创建时间',
  `updated_at` datetime NOT NULL DEFAULT current_timestamp() COMMENT '更新时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='实例信息';

CREATE TABLE `apps` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '应用ID',
  `group_id` int(11) NOT NULL DEFAULT 0 COMMENT '分组ID',
  `name` varchar(1000) NOT NULL DEFAULT '' COMMENT '名称',
  `agent_id` int(11) NOT NULL DEFAULT 0 COMMENT '运行实例ID',
  `dir` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行目录',
  `program` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行程序',
  `args` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行参数',
  `std_out` varchar(2000) NOT NULL DEFAULT '' COMMENT '标准输出路径',
  `std_err` varchar(2000) NOT NULL DEFAULT '' COMMENT '错误输出路径',
  `auto_restart` tinyint(4) NOT NULL DEFAULT 0 COMMENT '是否自动重启',
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0 COMMENT '是否开启监控',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  `creator` int(11) NOT NULL COMMENT '创建人',
  `updated_at` datetime NOT NULL COMMENT '更新时间',
  `updator` int(11) NOT NULL COMMENT '更新人',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='应用信息';

CREATE TABLE `archives` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) unsigned NOT NULL DEFAULT 0 COMMENT '类别',
  `related_id` tinyint(11) unsigned NOT NULL DEFAULT 0 COMMENT '关联ID',
  `uuid` varchar(100) NOT NULL DEFAULT '' COMMENT '唯一ID',
  `pid` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '运行ID',
  `begin_time` datetime NOT NULL COMMENT '开始运行时间',
  `end_time` datetime NOT NULL COMMENT '结束运行时间',
  `status` tinyint(4) NOT NULL COMMENT '状态',
  `signal` varchar(50) NOT NULL DEFAULT '' COMMENT '信号',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  PRIMARY KEY (`id`),
  KEY `related` (`type`,`related_id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='归档信息';

CREATE TABLE `exceptions` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '类别',
  `related_id` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '关联ID',
  `desc` varchar(1000) NOT NULL DEFAULT '' COMMENT '错误描述',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `groups` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '分组ID',
  `name` varchar(500) NOT NULL DEFAULT '' COMMENT '分组名称',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  `creator` int(11) NOT NULL COMMENT '创建人',
  `updated_at` datetime NOT NULL COMMENT '更新时间',
  `updator` int(11) NOT NULL COMMENT '更新人',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='分组信息';

CREATE TABLE `jobs` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '任务ID',
  `group_id` int(11) NOT NULL DEFAULT 0 COMMENT '分组ID',
  `name` varchar(1000) NOT NULL DEFAULT '' COMMENT '名称',
  `agent_id` int(11) NOT NULL DEFAULT 0 COMMENT '运行实例ID',
  `dir` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行目录',
  `program` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行程序',
  `args` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行参数',
  `std_out` varchar(2000) NOT NULL DEFAULT '' COMMENT '标准输出路径',
  `std_err` varchar(2000) NOT NULL DEFAULT '' COMMENT '错误输出路径',
  `spec` varchar(50) NOT NULL DEFAULT '0' COMMENT '时间配置',
  `timeout` int(11) NOT NULL DEFAULT -1 COMMENT '超时设置(秒)',
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0 COMMENT '是否开启监控',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  `creator` int(11) NOT NULL COMMENT '创建人',
  `updated_at` datetime NOT NULL COMMENT '更新时间',
  `updator` int(11) NOT NULL COMMENT '更新人',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='计划任务信息';

CREATE TABLE `monitors_202005` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) NOT NULL COMMENT '类别',
  `related_id` int(11) NOT NULL COMMENT '关联ID',
  `uuid` varchar(100) NOT NULL DEFAULT '' COMMENT '唯一ID',
  `pid` int(11) NOT NULL COMMENT '运行ID',
  `cpu` float NOT NULL COMMENT 'CPU占用',
  `memory` float NOT NULL COMMENT '内存占用',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `monitors_202006` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) NOT NULL COMMENT '类别',
  `related_id` int(11) NOT NULL COMMENT '关联ID',
  `uuid` varchar(100) NOT NULL DEFAULT '' COMMENT '唯一ID',
  `pid` int(11) NOT NULL COMMENT '运行ID',
  `cpu` float NOT NULL COMMENT 'CPU占用',
  `memory` float NOT NULL COMMENT '内存占用',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `monitors_202007` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) NOT NULL COMMENT '类别',
  `related_id` int(11) NOT NULL COMMENT '关联ID',
  `uuid` varchar(100) NOT NULL DEFAULT '' COMMENT '唯一ID',
  `pid` int(11) NOT NULL COMMENT '运行ID',
  `cpu` float NOT NULL COMMENT 'CPU占用',
  `memory` float NOT NULL COMMENT '内存占用',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `operations` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '操作人',
  `type` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '关联对象类别',
  `related_id` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '关联对象ID',
  `action` int(11) unsigned NOT NULL DEFAULT 0 COMMENT '动作',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  PRIMARY KEY (`id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `timings` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '任务ID',
  `group_id` int(11) NOT NULL DEFAULT 0 COMMENT '分组ID',
  `name` varchar(1000) NOT NULL DEFAULT '' COMMENT '名称',
  `agent_id` int(11) NOT NULL DEFAULT 0 COMMENT '运行实例ID',
  `dir` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行目录',
  `program` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行程序',
  `args` varchar(2000) NOT NULL DEFAULT '' COMMENT '执行参数',
  `std_out` varchar(2000) NOT NULL DEFAULT '' COMMENT '标准输出路径',
  `std_err` varchar(2000) NOT NULL DEFAULT '' COMMENT '错误输出路径',
  `time` datetime NOT NULL COMMENT '执行时间',
  `timeout` int(11) NOT NULL DEFAULT -1 COMMENT '超时设置(秒)',
  `is_monitor` tinyint(4) NOT NULL DEFAULT 0 COMMENT '是否开启监控',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  `creator` int(11) NOT NULL COMMENT '创建人',
  `updated_at` datetime NOT NULL COMMENT '更新时间',
  `updator` int(11) NOT NULL COMMENT '更新人',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='定时任务信息';

CREATE TABLE `users` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT COMMENT '用户ID',
  `nickname` varchar(100) NOT NULL DEFAULT '' COMMENT '昵称',
  `avatar` varchar(500) NOT NULL DEFAULT '' COMMENT '头像',
  `email` varchar(200) NOT NULL DEFAULT '' COMMENT '邮箱',
  `mobile` varchar(50) NOT NULL DEFAULT '' COMMENT '手机号',
  `role` varchar(32) NOT NULL DEFAULT '' COMMENT '角色',
  `salt` varchar(50) NOT NULL DEFAULT '' COMMENT '加密秘钥',
  `password` varchar(200) NOT NULL DEFAULT '' COMMENT '密码',
  `status` tinyint(4) NOT NULL DEFAULT 0 COMMENT '状态',
  `created_at` datetime NOT NULL COMMENT '创建时间',
  `updated_at` datetime NOT NULL COMMENT '更新时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='用户信息';

-- Rows, in local time (Europe/Berlin). alice's password is: s3cret'%
INSERT INTO `users` VALUES
  (1, 'admin', '', 'admin@admin.com', '13888888888', 'Administrator', 'PWxWFtzI', 'd55d350c7d70b3f5fa295ca05f98af73', 1, '2020-01-08 16:38:05', '2020-05-20 08:01:57'),
  (2, 'alice', '', 'alice@example.com', '13900000000', 'User', 'aBcDeFgH', '05ab56508bad26e2b4a57a8a4cf1f0df', 1, '2020-05-11 09:00:00', '2020-05-11 09:00:00');
INSERT INTO `agents` VALUES
  (1, 'web-1', '10.0.0.1', '27149', 1, '2020-05-10 10:00:00', '2020-06-10 12:00:00'),
  (2, '', '10.0.0.2', '27149', -1, '2020-05-10 10:05:00', '2020-05-12 10:05:00');
INSERT INTO `groups` VALUES (1, 'default', 1, '2020-05-10 10:10:00', 1, '2020-05-10 10:10:00', 1);
INSERT INTO `apps` VALUES
  (1, 1, 'api', 1, '/srv/api', '/srv/api/bin/api', '-c conf', '/var/log/api.out', '/var/log/api.err', 1, 1, 1, '2020-05-10 11:00:00', 1, '2020-05-10 11:00:00', 1),
  (2, 1, 'worker', 1, '/srv/w', '/srv/w/worker', '', '', '', 1, 0, 2, '2020-05-10 11:05:00', 1, '2020-05-10 11:05:00', 1),
  (3, 0, 'old', 1, '/', '/bin/true', '', '', '', 0, 0, -1, '2020-05-10 11:06:00', 1, '2020-05-10 11:06:00', 1);
INSERT INTO `jobs` VALUES
  (1, 1, 'backup', 1, '/', '/usr/local/bin/backup', '--all', '', '', '0 3 * * *', 600, 0, 0, '2020-05-10 12:00:00', 2, '2020-05-10 12:00:00', 2);
INSERT INTO `timings` VALUES
  (1, 1, 'migrate', 1, '/', '/usr/local/bin/migrate', '', '', '', '2020-06-01 08:00:00', -1, 0, 3, '2020-05-20 12:00:00', 1, '2020-06-01 08:00:05', 1),
  (2, 1, 'report', 1, '/', '/usr/local/bin/report', '', '', '', '2020-07-01 08:00:00', -1, 0, 1, '2020-05-20 12:00:00', 1, '2020-05-20 12:00:00', 1);
INSERT INTO `archives` VALUES
  (1, 2, 1, 'run-1', 4242, '2020-05-10 11:00:01', '2020-05-10 11:30:00', 0, '', '2020-05-10 11:30:00'),
  (2, 4, 1, 'run-2', 4343, '2020-06-01 08:00:00', '2020-06-01 08:00:05', 0, '', '2020-06-01 08:00:05');
INSERT INTO `exceptions` VALUES
  (1, 2, 1, 'exit status 1', '2020-05-10 11:30:00'),
  (2, 2, 1, 'restart limit', '2020-05-10 11:31:00');
INSERT INTO `operations` VALUES
  (1, 1, 2, 1, 1, '2020-03-01 12:00:00'),
  (2, 1, 2, 1, 2, '2020-06-01 12:00:00');
INSERT INTO `monitors_202005` (`type`, `related_id`, `uuid`, `pid`, `cpu`, `memory`, `created_at`) VALUES
  (2, 1, 'run-1', 4242, 1.5, 20.25, '2020-05-10 11:10:00'),
  (2, 1, 'run-1', 4242, 2.5, 21.5, '2020-05-10 11:10:30'),
  (1, 1, '', 0, 10, 50, '2020-05-10 11:10:00');
INSERT INTO `monitors_202006` (`type`, `related_id`, `uuid`, `pid`, `cpu`, `memory`, `created_at`) VALUES
  (2, 1, 'run-1', 4242, 3.5, 22, '2020-06-01 01:30:00');
