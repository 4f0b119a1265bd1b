//! Chinese names for closed-set values (tiers, segments, statuses) and common column keys.
//!
//! Used by the human renderers (table, markdown, html) with `--lang zh`. Machine formats
//! (json, ndjson, csv) never translate.

/// The Chinese name of a label value (tier, RFM segment, lifecycle status, …), if known.
///
/// Lookup is exact (case-sensitive): labels come from a closed set written by the analytics code.
/// ABC classes (`A`, `B`, `C`) are deliberately left untranslated.
pub fn zh_label(s: &str) -> Option<&'static str> {
    Some(match s {
        // Report titles.
        "Customer tiers" => "客户分层",
        "Inspect" => "文件检查",
        "Pareto" => "帕累托分析",
        "Churn" => "客户流失",
        // Customer tiers.
        "VIP" => "VIP客户",
        "Key" => "重点客户",
        "General" => "一般客户",
        "Small" => "小客户",
        "Large" => "大客户",
        "Medium" => "中型客户",
        // RFM segments.
        "Champions" => "冠军客户",
        "Loyal Customers" => "忠诚客户",
        "Potential Loyalist" | "Potential Loyalists" => "潜在忠诚客户",
        "New Customers" => "新客户",
        "Promising" => "有潜力客户",
        "Need Attention" | "Needs Attention" => "需关注客户",
        "About To Sleep" | "About to Sleep" => "即将沉睡客户",
        "At Risk" => "流失风险客户",
        "Can't Lose Them" | "Cannot Lose Them" => "不能失去的客户",
        "Hibernating" => "休眠客户",
        "Lost" => "已流失客户",
        "Others" | "Other" => "其他",
        // Lifecycle statuses.
        "new" => "新客户",
        "active" => "活跃",
        "at_risk" => "有流失风险",
        "churned" => "已流失",
        "reactivated" => "已回流",
        // Totals rows.
        "Total" | "total" => "合计",
        _ => return None,
    })
}

/// The Chinese header for a common column key, if known.
///
/// Used by the human renderers when `lang = Zh`, the column has no `label_zh`, and its
/// `label` is still the raw `key`.
pub fn zh_header(key: &str) -> Option<&'static str> {
    Some(match key {
        "customer_id" => "客户编号",
        "customer_name" => "客户名称",
        "first_date" => "首次发货",
        "last_date" => "最近发货",
        "recency_days" => "距今天数",
        "frequency" => "频次",
        "monetary" => "金额",
        "r" => "R",
        "f" => "F",
        "m" => "M",
        "rfm" => "RFM",
        "segment" => "客户分群",
        "tier" => "客户等级",
        "share" => "占比",
        "cum_share" => "累计占比",
        "annualised" => "年化金额",
        "customers" => "客户数",
        "lane" => "航线",
        "origin" => "起运港",
        "destination" => "目的港",
        "mode" => "运输方式",
        "median_recency_days" => "中位距今天数",
        "median_frequency" => "中位频次",
        "customers_share" => "客户占比",
        "monetary_share" => "金额占比",
        "status" => "状态",
        "class" => "分类",
        "as_of" => "截至日期",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_required_by_the_contract() {
        let cases = [
            ("VIP", "VIP客户"),
            ("Key", "重点客户"),
            ("General", "一般客户"),
            ("Small", "小客户"),
            ("Large", "大客户"),
            ("Medium", "中型客户"),
            ("Champions", "冠军客户"),
            ("Loyal Customers", "忠诚客户"),
            ("Potential Loyalist", "潜在忠诚客户"),
            ("New Customers", "新客户"),
            ("Promising", "有潜力客户"),
            ("Need Attention", "需关注客户"),
            ("About To Sleep", "即将沉睡客户"),
            ("At Risk", "流失风险客户"),
            ("Can't Lose Them", "不能失去的客户"),
            ("Lost", "已流失客户"),
            ("Others", "其他"),
            ("new", "新客户"),
            ("active", "活跃"),
            ("at_risk", "有流失风险"),
            ("churned", "已流失"),
            ("reactivated", "已回流"),
            ("Total", "合计"),
        ];
        for (en, zh) in cases {
            assert_eq!(zh_label(en), Some(zh), "{en}");
        }
    }

    #[test]
    fn abc_classes_and_unknown_values_are_not_translated() {
        for s in ["A", "B", "C", "", "Acme Logistics", "vip"] {
            assert_eq!(zh_label(s), None, "{s}");
        }
    }

    #[test]
    fn headers_required_by_the_contract() {
        let cases = [
            ("customer_id", "客户编号"),
            ("customer_name", "客户名称"),
            ("first_date", "首次发货"),
            ("last_date", "最近发货"),
            ("recency_days", "距今天数"),
            ("frequency", "频次"),
            ("monetary", "金额"),
            ("r", "R"),
            ("f", "F"),
            ("m", "M"),
            ("rfm", "RFM"),
            ("segment", "客户分群"),
            ("tier", "客户等级"),
            ("share", "占比"),
            ("cum_share", "累计占比"),
            ("annualised", "年化金额"),
            ("customers", "客户数"),
            ("lane", "航线"),
            ("origin", "起运港"),
            ("destination", "目的港"),
            ("mode", "运输方式"),
            ("median_recency_days", "中位距今天数"),
            ("median_frequency", "中位频次"),
            ("customers_share", "客户占比"),
            ("monetary_share", "金额占比"),
        ];
        for (key, zh) in cases {
            assert_eq!(zh_header(key), Some(zh), "{key}");
        }
        assert_eq!(zh_header("no_such_key"), None);
    }
}
