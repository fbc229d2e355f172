// Words of 一源一档, one enterprise's file (docs/enterprise-file.md): the console's page
// EnterpriseFile.vue and the links to it from the codes, the registry and the
// enterprise's own page: [中文, English].
export default {
  'file.title': ['一源一档', 'Source file'],
  'file.open': ['查看一源一档', 'Open its source file'],
  'file.mine': ['查看我的一源一档', 'My source file'],
  'file.asOf': ['档案生成于 {t}', 'As of {t}'],
  'file.back.codes': ['环保码', 'Enterprise codes'],
  'file.back.enterprise': ['本企业', 'My enterprise'],
  'file.back.alarms': ['告警', 'Alarms'],

  // Refusals.
  'file.forbidden': ['无权查看该企业的一源一档', "You may not see this enterprise's file"],
  'file.forbiddenOwn': ['企业账号只能查看本企业的档案。', 'An enterprise account sees its own file only.'],
  'file.forbiddenScope': ['只能查看您负责范围内的企业。', 'You see the enterprises of your scope only.'],
  'file.notFound': ['没有这家企业', 'No such enterprise'],
  'file.notFoundNote': ['企业编号 {id} 不在登记名录中。', 'Enterprise {id} is not in the registry.'],

  // The head.
  'file.creditCode': ['统一社会信用代码', 'Unified social credit code'],
  'file.district': ['所属区县', 'District'],
  'file.permitNo': ['排污许可证号', 'Permit number'],
  'file.address': ['地址', 'Address'],
  'file.contact': ['联系人', 'Contact'],
  'file.unset': ['未登记', 'not recorded'],
  'file.keyUnit': ['重点排污单位', 'Key pollutant-discharging unit'],
  'file.keyUnitOf': ['重点排污单位 · {m}', 'Key unit · {m}'],
  'file.codeOf': ['环保码', 'Code'],
  'file.why': ['扣分明细', 'Why'],
  'file.noDeduction': ['近30日无扣分', 'Nothing taken off in 30 days'],

  // The figures, each a jump to its section.
  'file.kpi.open': ['未处理告警', 'Open alarms'],
  'file.kpi.year': ['近12个月告警', 'Alarms, 12 months'],
  'file.kpi.permits': ['排污许可', 'Permits'],
  'file.kpi.outlets': ['排放口', 'Outlets'],
  'file.kpi.decl': ['自行申报', 'Declarations'],
  'file.kpi.insp': ['双随机检查', 'Inspections'],
  'file.kpi.validOf': ['{n} 有效', '{n} valid'],
  'file.kpi.openMore': ['{n}+', '{n}+'],

  // The sections.
  'file.sec.alarms': ['近 12 个月告警', 'Alarms over the last 12 months'],
  'file.sec.open': ['未处理告警', 'Open alarms'],
  'file.sec.permits': ['排污许可', 'Discharge permits'],
  'file.sec.outlets': ['排放口', 'Outlets'],
  'file.sec.decl': ['自行申报', 'Self-declarations'],
  'file.sec.insp': ['双随机检查', 'Random inspections'],
  'file.sec.code': ['环保码', 'Enterprise code'],

  'file.none.alarms': ['近 12 个月暂无告警', 'No alarm in the last 12 months'],
  'file.none.open': ['暂无未处理告警', 'No open alarm'],
  'file.none.permits': ['暂无排污许可证', 'No discharge permit'],
  'file.none.outlets': ['暂无排放口', 'No outlet'],
  'file.none.devices': ['暂无监测设备', 'No monitoring device'],
  'file.none.decl': ['暂无自行申报', 'No self-declaration'],
  'file.none.insp': ['暂无双随机检查记录', 'Not drawn in any random inspection'],

  // The chart.
  'file.kind.exceedance': ['超标', 'Exceedance'],
  'file.kind.offline': ['离线', 'Offline'],
  'file.kind.anomaly': ['异常', 'Anomaly'],
  'file.month': ['{m}月', '{mon}'],
  'file.monthLong': ['{y}年{m}月', '{mon} {y}'],
  'file.monthsTable': ['各月告警数', 'Alarms by month'],
  'file.monthCol': ['月份', 'Month'],

  // Open alarms.
  'file.alarm.since': ['{t} 开始', 'since {t}'],
  'file.alarm.ongoing': ['持续中', 'ongoing'],
  'file.alarm.latest': ['显示最新 {n} 条', 'The newest {n}'],
  'file.alarm.more': ['展开其余 {n} 条', 'Show {n} more'],
  'file.alarm.all': ['全部告警', 'All alarms'],

  // Permits.
  'file.permit.issuer': ['发证机关 {x}', 'Issued by {x}'],
  'file.permit.left': ['剩余 {n} 天', '{n} days left'],
  'file.permit.ago': ['已过期 {n} 天', 'expired {n} days ago'],
  'file.permit.startsIn': ['{n} 天后生效', 'valid in {n} days'],
  'file.permit.revoked': ['已撤销', 'revoked'],
  'file.permit.outlets': ['许可排放口 {n} 个', '{n} outlets'],
  'file.permit.quantities': ['许可排放量', 'Permitted quantities'],
  'file.permit.tpy': ['{v} 吨/年', '{v} t/a'],

  // Outlets.
  'file.outlet.inactive': ['已停用', 'inactive'],
  'file.outlet.open': ['{n} 条未处理告警', '{n} open alarms'],
  'file.outlet.devices': ['监测设备', 'Devices'],
  'file.outlet.limits': ['许可限值', 'Limits'],
  'file.outlet.query': ['查询数据', 'Query data'],

  // Declarations.
  'file.decl.window': ['{from} 至 {to}', '{from} to {to}'],
  'file.decl.openEnd': ['{from} 起', 'from {from}'],
  'file.decl.all': ['全部申报', 'All declarations'],
  'file.decl.latest': ['显示最新 {n} 条', 'The newest {n}'],

  // Inspections.
  'file.insp.published': ['{t} 公开', 'published {t}'],
  'file.insp.officers': ['检查人员', 'Officers'],
  'file.insp.noOfficers': ['未配对', 'none paired'],
  'file.insp.task': ['检查任务', 'Task'],
  'file.insp.noTask': ['未生成任务', 'no task'],
  'file.insp.due': ['期限 {t}', 'due {t}'],
  'file.insp.record': ['检查记录', 'Record'],
};
