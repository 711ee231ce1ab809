/**
 * The reasons that code writes on audit rows and record versions (api/store.ts ctxOf, the domain
 * services' defaults, the workers) are English ids; people read them in Chinese. One table here, so the
 * stored reason stays the id the logs and the API show. A reason typed by a person (an opinion, a
 * correction note) matches no entry and is shown as written.
 */

/** reasons written verbatim by code → 中文 */
export const REASONS: Record<string, string> = {
  'order created': '新建订单',
  'change order created': '新建变更单',
  'service request logged': '登记服务请求',
  'customer communication record filed': '提交客户沟通记录',
  'payment basis submitted by the AP partner': 'AP 供应商提交支付依据',
  'usage figures from the training platform': '培训平台上报的使用数据',
  'demo data': '演示数据',
  'revision requested by the customer': '客户要求修改',
  'resubmitted after send-back': '退回后重新提交',
  'issued after the second approval': '二级审核通过后签发',
  'drafted again': '重新起草',
  'completion (竣工)': '竣工',
  'declined by the customer': '客户拒绝',
  'drafted from the business order and the AP terms': '依据业务订单及 AP 条款起草',
  'drafted from the change order and the AP terms': '依据变更单及 AP 条款起草',
  'provisional: the deadline falls in a year whose holiday schedule is not published yet': '暂定：期限所在年份的节假日安排尚未公布',
};

/** reasons code writes with a value inside: the pattern and its wording (the value kept as it is) */
const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^revised after countersign rejection:\s*(.*)$/s, (m) => (m[1] ? `会签退回后修改：${m[1]}` : '会签退回后修改')],
  [/^completion record not filed by (.+)$/, (m) => `未在 ${m[1]} 前提交竣工记录`],
  [
    /^(complaint|fault|consultation) (\S+)$/,
    (m) => `${{ complaint: '投诉', fault: '故障', consultation: '咨询' }[m[1] as 'complaint' | 'fault' | 'consultation']} ${m[2]}`,
  ],
];

/** the reason as people read it */
export function reasonText(reason: unknown): string {
  const r = typeof reason === 'string' ? reason : reason == null ? '' : String(reason);
  if (!r) return '';
  const exact = REASONS[r];
  if (exact) return exact;
  for (const [re, wording] of PATTERNS) {
    const m = re.exec(r);
    if (m) return wording(m);
  }
  return r;
}
