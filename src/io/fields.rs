//! Canonical fields of each dataset and the header alias table.
//!
//! Every input file is one of four [`Dataset`]s. Each dataset has a fixed list of canonical
//! fields ([`fields`]), each with a [`Kind`] and a list of header aliases seen in real ERP,
//! Excel and freight-system exports, in English and Chinese. [`resolve`] maps the header row
//! of a file to those fields:
//!
//! 1. overrides (`--map field=Header`, `crm.toml` `[columns]`) first;
//! 2. then, for every other field in table order, a header whose [normal form](normalize_header)
//!    equals the normalized canonical name, else the earliest alias (in alias-list order) whose
//!    normal form matches; between columns of equal priority the leftmost wins;
//! 3. a column maps to at most one field, a field to at most one column;
//! 4. required fields must be mapped (with two dataset rules: shipments' `revenue` may be
//!    replaced by `quantity` × `unit_price`, payments need `invoice_id` or `customer_id`).
//!
//! The user documentation of this table is `docs/columns.md`; a unit test checks that the
//! tables there match this file exactly.

use std::fmt::Write as _;

/// The kind of input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// One row per shipment (or per invoice line of a sales export).
    Shipments,
    /// One row per invoice (accounts receivable).
    Invoices,
    /// One row per payment received.
    Payments,
    /// One row per customer and reporting period (balance sheet / income statement figures).
    Financials,
}

impl Dataset {
    /// All datasets, in documentation order.
    pub const ALL: [Dataset; 4] = [
        Dataset::Shipments,
        Dataset::Invoices,
        Dataset::Payments,
        Dataset::Financials,
    ];

    /// Lowercase name: `shipments`, `invoices`, `payments`, `financials`.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Shipments => "shipments",
            Dataset::Invoices => "invoices",
            Dataset::Payments => "payments",
            Dataset::Financials => "financials",
        }
    }
}

/// How the values of a field are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, kept exactly as a string (no number parsing: `00123` stays `00123`).
    Id,
    /// Free text.
    Text,
    /// An exact decimal amount of money.
    Money,
    /// A calendar date.
    Date,
    /// A plain number (quantities, weights, TEU).
    Number,
}

impl Kind {
    /// Lowercase name: `id`, `text`, `money`, `date`, `number`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Text => "text",
            Kind::Money => "money",
            Kind::Date => "date",
            Kind::Number => "number",
        }
    }
}

/// One canonical field of a dataset.
#[derive(Debug)]
pub struct FieldSpec {
    /// Canonical name, e.g. `ship_date`; also the name used by `--map` and `[columns]`.
    pub name: &'static str,
    pub kind: Kind,
    /// Whether a file of the dataset must have this field. Two rules are not expressed by this
    /// flag and are checked by [`resolve`]: shipments' `revenue` (required) is also satisfied by
    /// `quantity` + `unit_price`; payments need at least one of `invoice_id` / `customer_id`
    /// (both flagged not required).
    pub required: bool,
    /// Header aliases, most specific first: when several columns match, the one matching the
    /// earliest alias wins. Compared by [`normalize_header`] normal form.
    pub aliases: &'static [&'static str],
}

const fn spec(
    name: &'static str,
    kind: Kind,
    required: bool,
    aliases: &'static [&'static str],
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required,
        aliases,
    }
}

// ---------------------------------------------------------------------------------------------
// Alias lists shared by several datasets.

#[rustfmt::skip]
const CUSTOMER_ID_ALIASES: &[&str] = &[
    "客户编号", "客户代码", "客户ID", "客户号", "客户编码", "customer", "customerid", "customer no",
    "customer code", "client id", "client code", "account no", "cust id", "客户代号", "客户账号",
    "往来单位编码", "往来单位代码", "客商编码", "客商代码", "会员编号", "customer number",
    "customer #", "cust no", "cust code", "client no", "client number", "account id",
    "account number", "account code", "account", "user id", "buyer id",
];

#[rustfmt::skip]
const CUSTOMER_NAME_ALIASES: &[&str] = &[
    "客户名称", "客户名", "客户", "公司名称", "委托单位", "customer name", "client", "client name",
    "company", "company name", "name", "客户全称", "客户简称", "委托单位名称", "委托方", "结算单位",
    "结算单位名称", "往来单位", "往来单位名称", "客商名称", "单位名称", "购买方名称", "购方名称",
    "cust name", "account name", "bill to", "bill to name", "sold to",
];

#[rustfmt::skip]
const CURRENCY_ALIASES: &[&str] = &[
    "币种", "货币", "币别", "ccy", "cur", "币制", "结算币种", "币种代码", "currency code", "curr",
    "crncy",
];

#[rustfmt::skip]
const INVOICE_ID_ALIASES: &[&str] = &[
    "发票号", "发票号码", "账单号", "发票编号", "invoice", "invoiceno", "invoice no", "bill no",
    "账单编号", "对账单号", "结算单号", "应收单号", "单据编号", "单据号", "invoice number",
    "invoice #", "inv no", "inv number", "inv #", "bill number", "billing no", "billing document",
    "document no", "document number", "doc no",
];

// ---------------------------------------------------------------------------------------------
// The field tables.

#[rustfmt::skip]
static SHIPMENTS: &[FieldSpec] = &[
    spec("shipment_id", Kind::Id, false, &[
        "运单号", "提单号", "单号", "订单号", "业务编号", "工作单号", "shipment", "shipment no",
        "waybill", "waybill no", "awb", "bl no", "booking no", "order id", "order no", "invoiceno",
        "invoice no", "job no", "运单编号", "运单号码", "提单编号", "订单编号", "委托单号",
        "托运单号", "业务单号", "工作号", "物流单号", "快递单号", "shipment number", "shipment #",
        "waybill number", "hawb", "hbl", "hbl no", "mawb", "bill of lading", "booking number",
        "booking ref", "tracking no", "tracking number", "consignment no", "order number",
        "order #", "order", "invoice number", "job number", "job id", "reference no", "ref no",
        "transaction id",
    ]),
    spec("customer_id", Kind::Id, true, CUSTOMER_ID_ALIASES),
    spec("customer_name", Kind::Text, false, CUSTOMER_NAME_ALIASES),
    spec("ship_date", Kind::Date, true, &[
        "发货日期", "日期", "出运日期", "开船日期", "装运日期", "业务日期", "订单日期", "出货日期",
        "date", "ship date", "shipment date", "shipped date", "invoicedate", "invoice date",
        "order date", "etd", "发运日期", "装船日期", "起运日期", "离港日期", "提货日期", "委托日期",
        "接单日期", "下单日期", "运单日期", "单据日期", "shipping date", "dispatch date",
        "despatch date", "pickup date", "sailing date", "departure date", "atd", "booking date",
        "job date", "transaction date", "sale date", "purchase date",
    ]),
    spec("revenue", Kind::Money, true, &[
        "运费", "金额", "收入", "营业收入", "应收金额", "运费收入", "销售额", "应收", "amount",
        "sales", "total", "freight", "freight amount", "charges", "net amount", "total amount",
        "value", "应收运费", "应收合计", "应收总额", "收入金额", "销售金额", "营收", "总金额",
        "合计金额", "价税合计", "revenue amount", "sales amount", "total revenue", "total sales",
        "total charges", "total freight", "freight charges", "invoice amount", "gross revenue",
        "selling", "sell amount", "line total", "extended price", "turnover", "income",
        "purchase amount", "monetary",
    ]),
    spec("cost", Kind::Money, false, &[
        "成本", "运费成本", "应付金额", "应付", "采购成本", "cost", "costs", "total cost", "buying",
        "应付运费", "应付合计", "成本金额", "成本合计", "总成本", "cost amount", "buy amount",
        "purchase cost", "carrier cost", "vendor cost", "cost of sales", "cogs",
    ]),
    spec("lane", Kind::Text, false, &[
        "航线", "线路", "trade lane", "route", "航线名称", "航线代码", "运输线路", "路线",
        "lane name", "route name", "routing",
    ]),
    spec("origin", Kind::Text, false, &[
        "起运港", "起运地", "始发地", "始发港", "pol", "port of loading", "from", "装货港",
        "起始港", "起运站", "始发站", "发货地", "出发地", "起运城市", "origin port", "origin city",
        "origin country", "loading port", "load port", "departure port", "place of receipt",
        "ship from",
    ]),
    spec("destination", Kind::Text, false, &[
        "目的港", "目的地", "pod", "port of discharge", "dest", "to", "卸货港", "目的站", "收货地",
        "目的城市", "交货地", "destination port", "destination city", "destination country",
        "dest port", "discharge port", "final destination", "place of delivery", "ship to",
    ]),
    spec("mode", Kind::Text, false, &[
        "运输方式", "运输模式", "transport mode", "shipping mode", "运输类型", "业务类型",
        "ship mode", "shipment mode", "shipping method", "mode of transport", "transport type",
        "freight mode", "service type",
    ]),
    spec("teu", Kind::Number, false, &[
        "箱量", "标箱", "teus", "标准箱", "teu qty", "teu count",
    ]),
    spec("weight_kg", Kind::Number, false, &[
        "重量", "毛重", "重量kg", "weight", "gross weight", "kg", "毛重kg", "总重量", "实重",
        "货重", "计费重量", "计费重", "weight kg", "gross weight kg", "total weight",
        "actual weight", "chargeable weight", "gw", "kgs",
    ]),
    spec("promised_date", Kind::Date, false, &[
        "承诺到达日期", "约定到货日期", "预计到达日期", "要求到货日期", "promised", "promise date",
        "eta", "required delivery date", "承诺日期", "预计到货日期", "预计到港日期", "预计送达日期",
        "要求送达日期", "约定交期", "要求交期", "交期", "promised delivery date",
        "requested delivery date", "expected delivery date", "estimated delivery date",
        "target delivery date", "committed date", "sla date", "rdd",
    ]),
    spec("delivered_date", Kind::Date, false, &[
        "到达日期", "实际到达日期", "签收日期", "交付日期", "delivery date", "ata", "arrival date",
        "到货日期", "实际到货日期", "送达日期", "实际送达日期", "到港日期", "实际到港日期",
        "妥投日期", "delivered", "actual delivery date", "actual arrival date", "date delivered",
        "pod date",
    ]),
    spec("status", Kind::Text, false, &[
        "状态", "运单状态", "shipment status", "订单状态", "货物状态", "物流状态", "业务状态",
        "order status", "delivery status", "shipping status", "tracking status",
    ]),
    spec("currency", Kind::Text, false, CURRENCY_ALIASES),
    spec("quantity", Kind::Number, false, &[
        "数量", "件数", "qty", "销售数量", "发货数量", "订购数量", "quantity ordered", "units",
        "pieces", "pcs",
    ]),
    spec("unit_price", Kind::Money, false, &[
        "单价", "price", "unitprice", "unit price", "销售单价", "含税单价", "价格", "price each",
        "price per unit", "selling price", "sales price",
    ]),
];

#[rustfmt::skip]
static INVOICES: &[FieldSpec] = &[
    spec("invoice_id", Kind::Id, true, INVOICE_ID_ALIASES),
    spec("customer_id", Kind::Id, true, CUSTOMER_ID_ALIASES),
    spec("customer_name", Kind::Text, false, CUSTOMER_NAME_ALIASES),
    spec("invoice_date", Kind::Date, true, &[
        "开票日期", "发票日期", "账单日期", "日期", "date", "bill date", "单据日期", "出账日期",
        "记账日期", "inv date", "billing date", "document date", "doc date", "issue date",
        "date issued", "posting date",
    ]),
    spec("due_date", Kind::Date, false, &[
        "到期日", "到期日期", "付款期限", "应收日期", "due", "应收到期日", "付款到期日",
        "账期到期日", "最迟付款日期", "due by", "due on", "payment due", "payment due date",
        "net due date",
    ]),
    spec("amount", Kind::Money, true, &[
        "金额", "发票金额", "应收金额", "开票金额", "invoice amount", "total", "value", "价税合计",
        "含税金额", "账单金额", "总金额", "合计金额", "应收", "invoice total", "invoice value",
        "total amount", "gross amount", "billed amount", "bill amount", "net amount",
    ]),
    spec("paid_amount", Kind::Money, false, &[
        "已收金额", "收款金额", "已付金额", "实收金额", "paid", "amount paid", "received", "已收款",
        "已回款", "回款金额", "已核销金额", "核销金额", "amount received", "received amount",
        "payment amount", "payments", "settled amount", "collected",
    ]),
    spec("paid_date", Kind::Date, false, &[
        "收款日期", "付款日期", "到账日期", "回款日期", "payment date", "date paid", "实际收款日期",
        "核销日期", "paid on", "received date", "date received", "settlement date", "clearing date",
    ]),
    spec("currency", Kind::Text, false, CURRENCY_ALIASES),
];

#[rustfmt::skip]
static PAYMENTS: &[FieldSpec] = &[
    spec("invoice_id", Kind::Id, false, INVOICE_ID_ALIASES),
    spec("customer_id", Kind::Id, false, CUSTOMER_ID_ALIASES),
    spec("payment_date", Kind::Date, true, &[
        "收款日期", "付款日期", "到账日期", "回款日期", "日期", "date", "paid date", "入账日期",
        "交易日期", "记账日期", "收款时间", "到账时间", "交易时间", "date paid", "date received",
        "received date", "receipt date", "value date", "transaction date", "posting date",
    ]),
    spec("amount", Kind::Money, true, &[
        "金额", "收款金额", "回款金额", "实收金额", "paid", "received", "payment amount",
        "到账金额", "入账金额", "交易金额", "收款额", "回款额", "贷方金额", "amount paid",
        "amount received", "paid amount", "received amount", "receipt amount", "credit amount",
    ]),
    spec("currency", Kind::Text, false, CURRENCY_ALIASES),
];

#[rustfmt::skip]
static FINANCIALS: &[FieldSpec] = &[
    spec("customer_id", Kind::Id, true, &[
        "entity", "company", "企业", "公司", "公司名称", "客户编号", "客户代码", "customer",
        "customerid", "企业名称", "单位名称", "客户名称", "公司代码", "证券代码", "股票代码",
        "证券简称", "股票简称", "company name", "entity name", "customer name", "customer code",
        "ticker", "stkcd",
    ]),
    spec("period_end", Kind::Date, true, &[
        "报告期", "期末日期", "会计期末", "报表日期", "period", "date", "year end",
        "fiscal year end", "截止日期", "统计截止日期", "会计期间", "报告日期", "period end date",
        "fiscal period", "report date", "statement date", "balance sheet date", "as of",
        "as of date", "accper",
    ]),
    spec("cash", Kind::Money, false, &[
        "货币资金", "现金及现金等价物", "现金", "cash and equivalents", "现金及等价物",
        "cash and cash equivalents", "cash & cash equivalents", "cash & equivalents",
        "cash equivalents",
    ]),
    spec("short_term_investments", Kind::Money, false, &[
        "交易性金融资产", "短期投资", "short term investment", "marketable securities",
        "trading financial assets", "current investments",
    ]),
    spec("receivables", Kind::Money, false, &[
        "应收账款", "accounts receivable", "ar", "应收账款净额", "应收票据及应收账款", "应收款项",
        "accounts receivable net", "trade receivables", "net receivables", "receivable",
        "trade debtors", "debtors",
    ]),
    spec("inventory", Kind::Money, false, &[
        "存货", "inventories", "存货净额", "库存", "inventory net", "merchandise inventory",
    ]),
    spec("prepaid_expenses", Kind::Money, false, &[
        "预付款项", "预付账款", "prepayments", "预付费用", "待摊费用", "prepaid", "prepaid expense",
        "prepayment", "advances to suppliers",
    ]),
    spec("current_assets", Kind::Money, false, &[
        "流动资产合计", "流动资产", "total current assets", "current assets total",
    ]),
    spec("total_assets", Kind::Money, false, &[
        "资产总计", "资产总额", "总资产", "资产合计", "assets", "total asset",
    ]),
    spec("current_liabilities", Kind::Money, false, &[
        "流动负债合计", "流动负债", "total current liabilities", "current liabilities total",
    ]),
    spec("total_liabilities", Kind::Money, false, &[
        "负债合计", "负债总额", "总负债", "liabilities", "total liability",
    ]),
    spec("revenue", Kind::Money, false, &[
        "营业收入", "营业总收入", "主营业务收入", "sales", "total revenue", "销售收入", "营收",
        "收入", "net sales", "revenues", "operating revenue", "total sales", "turnover",
    ]),
    spec("credit_sales", Kind::Money, false, &[
        "赊销收入", "赊销额", "赊销金额", "赊销", "credit sale", "net credit sales",
        "sales on credit",
    ]),
    spec("cogs", Kind::Money, false, &[
        "营业成本", "主营业务成本", "cost of sales", "cost of goods sold", "销售成本",
        "cost of revenue", "cost of revenues", "cost of goods",
    ]),
    spec("net_income", Kind::Money, false, &[
        "净利润", "net profit", "profit", "净利", "归属于母公司所有者的净利润",
        "归属于母公司股东的净利润", "net earnings", "net profit after tax", "profit after tax",
    ]),
    spec("total_costs", Kind::Money, false, &[
        "成本费用总额", "成本费用", "成本费用合计", "营业总成本", "总成本", "total cost",
        "total expenses",
    ]),
];

/// The canonical fields of a dataset, in table order.
pub fn fields(ds: Dataset) -> &'static [FieldSpec] {
    match ds {
        Dataset::Shipments => SHIPMENTS,
        Dataset::Invoices => INVOICES,
        Dataset::Payments => PAYMENTS,
        Dataset::Financials => FINANCIALS,
    }
}

/// The field of `ds` with canonical name `name` (exact match).
pub fn field(ds: Dataset, name: &str) -> Option<&'static FieldSpec> {
    fields(ds).iter().find(|f| f.name == name)
}

// ---------------------------------------------------------------------------------------------
// Requirements beyond the `required` flag.

/// A required field that is also satisfied when all of these other fields are mapped.
fn substitutes(ds: Dataset, name: &str) -> Option<&'static [&'static str]> {
    match (ds, name) {
        // Line-item exports: revenue = quantity × unit_price.
        (Dataset::Shipments, "revenue") => Some(&["quantity", "unit_price"]),
        _ => None,
    }
}

/// Groups of (not individually required) fields of which at least one must be mapped.
fn one_of_groups(ds: Dataset) -> &'static [&'static [&'static str]] {
    match ds {
        Dataset::Payments => &[&["invoice_id", "customer_id"]],
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------------
// Normalization.

/// Normal form for matching: NFKC-like folding of full-width ASCII to ASCII (`Ｕ`→`U`,
/// `（`→`(`), lowercase, remove BOM and other invisible format characters, spaces (incl. NBSP,
/// U+3000), `_`, `-` (and Unicode dashes), `.`, `/`; and a trailing unit in brackets like
/// `(USD)`, `（元）`, `(kg)`, `[USD]`, `【元】` is removed (unless nothing would remain).
///
/// `"Revenue (USD)"` → `"revenue"`, `"客户 编号"` → `"客户编号"`, `"Customer_ID"` → `"customerid"`.
pub fn normalize_header(h: &str) -> String {
    let folded: Vec<char> = h.chars().filter_map(fold_char).collect();
    let mut end = folded.len();
    while end > 0 && is_separator(folded[end - 1]) {
        end -= 1;
    }
    let mut chars = &folded[..end];
    if let Some(open) = trailing_group_start(chars) {
        let head = &chars[..open];
        if head.iter().any(|&c| !is_separator(c)) {
            chars = head;
        }
    }
    let mut out = String::with_capacity(h.len());
    for &c in chars {
        if !is_separator(c) {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Full-width ASCII → ASCII, ideographic space → space, Unicode dashes → `-`; invisible
/// characters (BOM, zero-width, controls other than whitespace) are dropped.
fn fold_char(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21),
        '\u{3000}' => Some(' '),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => Some('-'),
        '\u{FEFF}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{00AD}' => None,
        c if c.is_control() && !c.is_whitespace() => None,
        c => Some(c),
    }
}

/// Characters ignored when matching.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '_' | '-' | '.' | '/')
}

/// If `chars` ends with a bracketed group (`(...)`, `[...]`, `【...】`), the index of its
/// opening bracket (nesting of the same bracket pair is honoured).
fn trailing_group_start(chars: &[char]) -> Option<usize> {
    let (&last, _) = chars.split_last()?;
    let open = match last {
        ')' => '(',
        ']' => '[',
        '】' => '【',
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate().rev() {
        if c == last {
            depth += 1;
        } else if c == open {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Resolution.

/// How a column was matched to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchHow {
    /// By `--map field=Header` or `crm.toml` `[columns]`.
    Override,
    /// The header is the canonical field name (in normal form).
    Canonical,
    /// The header is one of the field's aliases (in normal form).
    Alias,
}

/// One column mapped to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Canonical field name.
    pub field: &'static str,
    pub kind: Kind,
    /// 0-based column index in the header row.
    pub column: usize,
    /// The header as written in the file.
    pub header: String,
    pub how: MatchHow,
}

/// The result of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Mapped fields, in field-table order.
    pub mapped: Vec<Mapping>,
    /// Columns not mapped to any field, in column order: (column index, header, why). `why` is
    /// `"no field has this alias"` or `"also matches 'ship_date', but column 'Date' was used"`.
    pub unmapped: Vec<(usize, String, String)>,
}

impl Resolution {
    /// The mapping of a canonical field, if that field was mapped.
    pub fn get(&self, field: &str) -> Option<&Mapping> {
        self.mapped.iter().find(|m| m.field == field)
    }
}

/// Reason given for a column that matches no field.
const NO_ALIAS: &str = "no field has this alias";
/// Hint closing every "required field missing" error.
const MAP_HINT: &str = "map a column with --map FIELD=HEADER or a [columns] section in crm.toml";
/// At most this many headers are listed in an error message.
const MAX_LISTED_HEADERS: usize = 60;
/// Headers longer than this are shortened in error messages.
const MAX_HEADER_CHARS: usize = 60;

/// Map headers to fields.
///
/// `overrides` are (field, header) pairs from `--map field=Header` and `crm.toml` `[columns]`,
/// applied first. The field may be written as its canonical name or anything with the same
/// normal form (`Ship-Date`); the header is matched exactly, else by normal form (leftmost).
/// When a field appears several times the last pair wins (so pass `[columns]` first, then
/// `--map`). Errors: unknown field, header not found, two fields mapped to one column.
///
/// Then every other field, in table order: a header whose normal form equals the normalized
/// canonical name ([`MatchHow::Canonical`]) wins, else the earliest alias in the alias list
/// whose normal form matches ([`MatchHow::Alias`]); between two columns of equal priority the
/// leftmost. A column maps to at most one field, a field to at most one column.
///
/// Missing required fields are an error listing, for each, the names tried, then the headers
/// found and a hint. Shipments: `revenue` is satisfied by `quantity` + `unit_price` (the caller
/// computes revenue = quantity × unit_price); payments: one of `invoice_id` / `customer_id`.
///
/// Error messages do not name the file; the caller prefixes it.
pub fn resolve(
    ds: Dataset,
    headers: &[String],
    overrides: &[(String, String)],
) -> Result<Resolution, String> {
    let specs = fields(ds);
    let norms: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    // Per field: normal forms of the canonical name (first), then of the aliases in order.
    let forms: Vec<Vec<String>> = specs
        .iter()
        .map(|f| {
            std::iter::once(f.name)
                .chain(f.aliases.iter().copied())
                .map(normalize_header)
                .collect()
        })
        .collect();
    // field index → (column, how); column index → field index.
    let mut field_col: Vec<Option<(usize, MatchHow)>> = vec![None; specs.len()];
    let mut col_field: Vec<Option<usize>> = vec![None; headers.len()];

    // 1. Overrides: the last pair of each field wins.
    let mut wanted: Vec<Option<&str>> = vec![None; specs.len()];
    for (name, header) in overrides {
        let fi = override_field_index(specs, name).ok_or_else(|| {
            format!(
                "unknown field '{}' in --map; fields of {}: {}",
                name.trim(),
                ds.name(),
                specs.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
            )
        })?;
        wanted[fi] = Some(header.as_str());
    }
    for (fi, want) in wanted.iter().enumerate() {
        let Some(header) = *want else { continue };
        let col = find_header(headers, &norms, header).ok_or_else(|| {
            format!(
                "column '{}' given for field '{}' (--map / [columns]) not found; headers found: {}",
                shorten(header),
                specs[fi].name,
                list_headers(headers)
            )
        })?;
        if let Some(other) = col_field[col] {
            return Err(format!(
                "column '{}' is mapped to both '{}' and '{}' (--map / [columns]); \
                 a column can feed only one field",
                shorten(&headers[col]),
                specs[other].name,
                specs[fi].name
            ));
        }
        col_field[col] = Some(fi);
        field_col[fi] = Some((col, MatchHow::Override));
    }

    // 2. Canonical names, then aliases in order; leftmost free column.
    for (fi, field_forms) in forms.iter().enumerate() {
        if field_col[fi].is_some() {
            continue;
        }
        let found = field_forms.iter().enumerate().find_map(|(i, form)| {
            let how = if i == 0 {
                MatchHow::Canonical
            } else {
                MatchHow::Alias
            };
            leftmost_free(&norms, &col_field, form).map(|c| (c, how))
        });
        if let Some((col, how)) = found {
            col_field[col] = Some(fi);
            field_col[fi] = Some((col, how));
        }
    }

    // 3. Requirements.
    let is_mapped = |name: &str| {
        specs
            .iter()
            .position(|f| f.name == name)
            .is_some_and(|fi| field_col[fi].is_some())
    };
    let mut missing: Vec<String> = Vec::new();
    for f in specs.iter().filter(|f| f.required) {
        if is_mapped(f.name) {
            continue;
        }
        match substitutes(ds, f.name) {
            Some(subs) if subs.iter().all(|s| is_mapped(s)) => {}
            Some(subs) => missing.push(format!(
                "  {}: tried {}; or all of {} ({} = {})",
                f.name,
                tried(f),
                subs.join(", "),
                f.name,
                subs.join(" × ")
            )),
            None => missing.push(format!("  {}: tried {}", f.name, tried(f))),
        }
    }
    for group in one_of_groups(ds) {
        if group.iter().any(|g| is_mapped(g)) {
            continue;
        }
        let mut s = format!("  one of {}:", group.join(" / "));
        for f in group
            .iter()
            .filter_map(|g| specs.iter().find(|f| f.name == *g))
        {
            let _ = write!(s, "\n    {}: tried {}", f.name, tried(f));
        }
        missing.push(s);
    }
    if !missing.is_empty() {
        return Err(format!(
            "no column found for required field{} of {}:\n{}\nheaders found: {}\n{}",
            if missing.len() == 1 { "" } else { "s" },
            ds.name(),
            missing.join("\n"),
            list_headers(headers),
            MAP_HINT
        ));
    }

    // 4. Result.
    let mapped = specs
        .iter()
        .enumerate()
        .filter_map(|(fi, f)| {
            field_col[fi].map(|(column, how)| Mapping {
                field: f.name,
                kind: f.kind,
                column,
                header: headers[column].clone(),
                how,
            })
        })
        .collect();
    let unmapped = (0..headers.len())
        .filter(|&c| col_field[c].is_none())
        .map(|c| {
            let norm = &norms[c];
            let why = forms
                .iter()
                .position(|fs| !norm.is_empty() && fs.contains(norm))
                .and_then(|fi| field_col[fi].map(|(used, _)| (fi, used)))
                .map_or_else(
                    || NO_ALIAS.to_string(),
                    |(fi, used)| {
                        format!(
                            "also matches '{}', but column '{}' was used",
                            specs[fi].name,
                            shorten(&headers[used])
                        )
                    },
                );
            (c, headers[c].clone(), why)
        })
        .collect();
    Ok(Resolution { mapped, unmapped })
}

/// Field index for an override's field name: exact, else by normal form.
fn override_field_index(specs: &[FieldSpec], name: &str) -> Option<usize> {
    specs.iter().position(|f| f.name == name).or_else(|| {
        let n = normalize_header(name);
        if n.is_empty() {
            return None;
        }
        specs.iter().position(|f| normalize_header(f.name) == n)
    })
}

/// Column of an override's header: leftmost exact match, else leftmost normal-form match.
fn find_header(headers: &[String], norms: &[String], header: &str) -> Option<usize> {
    headers.iter().position(|h| h == header).or_else(|| {
        let n = normalize_header(header);
        if n.is_empty() {
            return None;
        }
        norms.iter().position(|h| *h == n)
    })
}

/// Leftmost column not yet mapped whose normal form is `norm` (never matches an empty form).
fn leftmost_free(norms: &[String], col_field: &[Option<usize>], norm: &str) -> Option<usize> {
    if norm.is_empty() {
        return None;
    }
    norms
        .iter()
        .zip(col_field)
        .position(|(h, used)| used.is_none() && h == norm)
}

/// `shipment_id, 运单号, 提单号, ...`: the canonical name and aliases of a field.
fn tried(f: &FieldSpec) -> String {
    std::iter::once(f.name)
        .chain(f.aliases.iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `'A', 'B', 'C'` (at most [`MAX_LISTED_HEADERS`]), or `(none)`.
fn list_headers(headers: &[String]) -> String {
    if headers.is_empty() {
        return "(none)".to_string();
    }
    let mut s = headers
        .iter()
        .take(MAX_LISTED_HEADERS)
        .map(|h| format!("'{}'", shorten(h)))
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > MAX_LISTED_HEADERS {
        let _ = write!(s, ", ... ({} more)", headers.len() - MAX_LISTED_HEADERS);
    }
    s
}

/// A header for display: control and invisible characters escaped, at most
/// [`MAX_HEADER_CHARS`] characters.
fn shorten(h: &str) -> String {
    let mut out = String::new();
    for (i, c) in h.chars().enumerate() {
        if i == MAX_HEADER_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || fold_char(c).is_none() {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    fn csv_headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn col_of(r: &Resolution, field: &str) -> Option<(usize, MatchHow)> {
        r.get(field).map(|m| (m.column, m.how))
    }

    // --- normalization -------------------------------------------------------------------

    #[test]
    fn normalize_examples_from_the_spec() {
        assert_eq!(normalize_header("Revenue (USD)"), "revenue");
        assert_eq!(normalize_header("客户 编号"), "客户编号");
        assert_eq!(normalize_header("Customer_ID"), "customerid");
    }

    #[test]
    fn normalize_separators_and_case() {
        for h in [
            "Customer ID",
            "CustomerID",
            "customer-id",
            "customer.id",
            "Customer/ID",
            " customer_id ",
            "CUSTOMER\u{A0}ID",
            "customer\u{3000}id",
            "customer\tid",
            "customer\u{2013}id",
        ] {
            assert_eq!(normalize_header(h), "customerid", "{h:?}");
        }
    }

    #[test]
    fn normalize_full_width_and_bom() {
        assert_eq!(normalize_header("ＵＮＩＴ　ＰＲＩＣＥ"), "unitprice");
        assert_eq!(normalize_header("\u{FEFF}Ship Date"), "shipdate");
        assert_eq!(normalize_header("\u{FEFF}运单号"), "运单号");
        assert_eq!(normalize_header("客户\u{200B}编号"), "客户编号");
        assert_eq!(normalize_header("Ｃｕｓｔｏｍｅｒ＿ＩＤ"), "customerid");
    }

    #[test]
    fn normalize_trailing_units() {
        assert_eq!(normalize_header("金额（元）"), "金额");
        assert_eq!(normalize_header("金额(元)"), "金额");
        assert_eq!(normalize_header("重量 (kg)"), "重量");
        assert_eq!(normalize_header("Weight(kg) "), "weight");
        assert_eq!(normalize_header("Freight [USD]"), "freight");
        assert_eq!(normalize_header("运费【元】"), "运费");
        assert_eq!(normalize_header("Amount (net (USD))"), "amount");
        // Only a trailing group, and only one.
        assert_eq!(normalize_header("Amount (USD) Total"), "amount(usd)total");
        assert_eq!(normalize_header("a (b) (c)"), "a(b)");
        // Nothing would remain: keep the group.
        assert_eq!(normalize_header("(USD)"), "(usd)");
        assert_eq!(normalize_header(" (kg) "), "(kg)");
        // Unbalanced brackets are kept as they are.
        assert_eq!(normalize_header("Amount USD)"), "amountusd)");
        assert_eq!(normalize_header("Amount (USD"), "amount(usd");
    }

    #[test]
    fn normalize_never_panics_on_odd_input() {
        for h in [
            "",
            " ",
            "\u{FEFF}",
            "()",
            ")",
            "(",
            "))((",
            "\u{0}\u{1}",
            "İstanbul",
            "ß",
            "😀 (emoji)",
            "\u{FF5E}\u{FF01}",
            "（）",
            "【",
            "】",
            "\u{FFFF}",
        ] {
            let _ = normalize_header(h);
        }
        assert_eq!(normalize_header(""), "");
        assert_eq!(normalize_header(" _-./ "), "");
        assert_eq!(normalize_header("\u{FF5E}\u{FF01}"), "~!");
    }

    // --- the table -------------------------------------------------------------------------

    #[test]
    fn dataset_names() {
        let names: Vec<_> = Dataset::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names, ["shipments", "invoices", "payments", "financials"]);
    }

    #[test]
    fn field_order_and_kinds() {
        let names = |ds| fields(ds).iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(
            names(Dataset::Shipments),
            [
                "shipment_id",
                "customer_id",
                "customer_name",
                "ship_date",
                "revenue",
                "cost",
                "lane",
                "origin",
                "destination",
                "mode",
                "teu",
                "weight_kg",
                "promised_date",
                "delivered_date",
                "status",
                "currency",
                "quantity",
                "unit_price"
            ]
        );
        assert_eq!(
            names(Dataset::Invoices),
            [
                "invoice_id",
                "customer_id",
                "customer_name",
                "invoice_date",
                "due_date",
                "amount",
                "paid_amount",
                "paid_date",
                "currency"
            ]
        );
        assert_eq!(
            names(Dataset::Payments),
            [
                "invoice_id",
                "customer_id",
                "payment_date",
                "amount",
                "currency"
            ]
        );
        assert_eq!(
            names(Dataset::Financials),
            [
                "customer_id",
                "period_end",
                "cash",
                "short_term_investments",
                "receivables",
                "inventory",
                "prepaid_expenses",
                "current_assets",
                "total_assets",
                "current_liabilities",
                "total_liabilities",
                "revenue",
                "credit_sales",
                "cogs",
                "net_income",
                "total_costs"
            ]
        );
        let required = |ds| {
            fields(ds)
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            required(Dataset::Shipments),
            ["customer_id", "ship_date", "revenue"]
        );
        assert_eq!(
            required(Dataset::Invoices),
            ["invoice_id", "customer_id", "invoice_date", "amount"]
        );
        assert_eq!(required(Dataset::Payments), ["payment_date", "amount"]);
        assert_eq!(required(Dataset::Financials), ["customer_id", "period_end"]);
        let s = |n| field(Dataset::Shipments, n).unwrap().kind;
        assert_eq!(s("shipment_id"), Kind::Id);
        assert_eq!(s("customer_name"), Kind::Text);
        assert_eq!(s("ship_date"), Kind::Date);
        assert_eq!(s("revenue"), Kind::Money);
        assert_eq!(s("teu"), Kind::Number);
        assert_eq!(s("unit_price"), Kind::Money);
        for ds in [Dataset::Invoices, Dataset::Payments] {
            assert_eq!(field(ds, "amount").unwrap().kind, Kind::Money);
        }
        for f in &FINANCIALS[2..] {
            assert_eq!(f.kind, Kind::Money, "{}", f.name);
        }
        assert!(field(Dataset::Shipments, "nope").is_none());
        assert!(field(Dataset::Invoices, "ship_date").is_none());
    }

    #[test]
    fn aliases_are_unambiguous_in_every_dataset() {
        for ds in Dataset::ALL {
            let specs = fields(ds);
            let canon: HashMap<String, &str> = specs
                .iter()
                .map(|f| (normalize_header(f.name), f.name))
                .collect();
            assert_eq!(canon.len(), specs.len(), "{}: canonical clash", ds.name());
            let mut owner: HashMap<String, (&str, &str)> = HashMap::new();
            for f in specs {
                for &a in f.aliases {
                    let n = normalize_header(a);
                    assert!(!n.is_empty(), "{}.{}: empty alias {a:?}", ds.name(), f.name);
                    if let Some(&other) = canon.get(&n) {
                        assert_eq!(
                            other,
                            f.name,
                            "{}: alias {a:?} of {} is the canonical name of {other}",
                            ds.name(),
                            f.name
                        );
                    }
                    // The same normal form twice in one field (`invoiceno`, `invoice no`) is
                    // redundant but harmless; in two fields it would be ambiguous.
                    if let Some((of, oa)) = owner.insert(n, (f.name, a)) {
                        assert_eq!(
                            of,
                            f.name,
                            "{}: alias {a:?} of {} has the same normal form as {oa:?} of {of}",
                            ds.name(),
                            f.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn given_aliases_are_present() {
        let has = |ds, f: &str, aliases: &[&str]| {
            let spec = field(ds, f).unwrap();
            for a in aliases {
                assert!(spec.aliases.contains(a), "{}.{f} lacks {a}", ds.name());
            }
        };
        use Dataset::*;
        has(
            Shipments,
            "shipment_id",
            &["运单号", "awb", "invoiceno", "job no"],
        );
        has(
            Shipments,
            "customer_id",
            &["客户ID", "cust id", "account no"],
        );
        has(Shipments, "customer_name", &["委托单位", "name"]);
        has(Shipments, "ship_date", &["发货日期", "日期", "etd"]);
        has(Shipments, "revenue", &["运费", "应收", "value"]);
        has(Shipments, "cost", &["采购成本", "buying"]);
        has(Shipments, "weight_kg", &["重量kg", "kg"]);
        has(
            Shipments,
            "promised_date",
            &["eta", "required delivery date"],
        );
        has(Shipments, "delivered_date", &["ata", "arrival date"]);
        has(Shipments, "currency", &["币别", "cur"]);
        has(Shipments, "unit_price", &["单价", "unitprice"]);
        has(Invoices, "invoice_id", &["发票号码", "bill no"]);
        has(Invoices, "due_date", &["付款期限", "due"]);
        has(Invoices, "paid_amount", &["已付金额", "received"]);
        has(Invoices, "paid_date", &["回款日期", "date paid"]);
        has(Payments, "payment_date", &["到账日期", "paid date"]);
        has(Payments, "amount", &["回款金额", "payment amount"]);
        has(
            Financials,
            "customer_id",
            &["entity", "公司名称", "customerid"],
        );
        has(Financials, "period_end", &["会计期末", "fiscal year end"]);
        has(Financials, "total_costs", &["成本费用总额", "成本费用"]);
        has(Financials, "net_income", &["净利润", "profit"]);
    }

    // --- resolve ---------------------------------------------------------------------------

    #[test]
    fn english_export_maps_canonically() {
        let all: Vec<&str> = SHIPMENTS.iter().map(|f| f.name).collect();
        let h = csv_headers(&all.join(","));
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(r.mapped.len(), SHIPMENTS.len());
        for (i, m) in r.mapped.iter().enumerate() {
            assert_eq!(m.field, SHIPMENTS[i].name);
            assert_eq!(m.kind, SHIPMENTS[i].kind);
            assert_eq!(m.column, i);
            assert_eq!(m.header, SHIPMENTS[i].name);
            assert_eq!(m.how, MatchHow::Canonical);
        }
        assert!(r.unmapped.is_empty());

        let h = csv_headers("Shipment ID,Customer ID,Customer Name,Ship Date,Revenue (USD),Cost");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((4, MatchHow::Canonical)));
        assert_eq!(r.get("revenue").unwrap().header, "Revenue (USD)");
        assert!(r.mapped.iter().all(|m| m.how == MatchHow::Canonical));
    }

    #[test]
    fn chinese_export_maps_by_alias() {
        let h = csv_headers("运单号,客户编号,客户名称,发货日期,运费,成本,航线,币种");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        let got: Vec<_> = r
            .mapped
            .iter()
            .map(|m| (m.field, m.column, m.how))
            .collect();
        assert_eq!(
            got,
            [
                ("shipment_id", 0, MatchHow::Alias),
                ("customer_id", 1, MatchHow::Alias),
                ("customer_name", 2, MatchHow::Alias),
                ("ship_date", 3, MatchHow::Alias),
                ("revenue", 4, MatchHow::Alias),
                ("cost", 5, MatchHow::Alias),
                ("lane", 6, MatchHow::Alias),
                ("currency", 7, MatchHow::Alias),
            ]
        );
        assert!(r.unmapped.is_empty());
    }

    #[test]
    fn chinese_export_with_units_bom_and_full_width() {
        let h = strings(&[
            "\u{FEFF}运单号",
            "客户 编号",
            "发货日期",
            "运费（元）",
            "重量(kg)",
            "ＴＥＵ",
        ]);
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "shipment_id"), Some((0, MatchHow::Alias)));
        assert_eq!(col_of(&r, "customer_id"), Some((1, MatchHow::Alias)));
        assert_eq!(col_of(&r, "revenue"), Some((3, MatchHow::Alias)));
        assert_eq!(col_of(&r, "weight_kg"), Some((4, MatchHow::Alias)));
        assert_eq!(col_of(&r, "teu"), Some((5, MatchHow::Canonical)));
        assert_eq!(r.get("shipment_id").unwrap().header, "\u{FEFF}运单号");
    }

    #[test]
    fn customer_id_spellings() {
        for spelling in ["Customer ID", "CustomerID", "customer-id", "CUSTOMER_ID"] {
            let h = strings(&[spelling, "date", "amount"]);
            let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
            assert_eq!(
                col_of(&r, "customer_id"),
                Some((0, MatchHow::Canonical)),
                "{spelling}"
            );
        }
        let h = strings(&["Customer No.", "date", "amount"]);
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "customer_id"), Some((0, MatchHow::Alias)));
    }

    #[test]
    fn online_retail_line_items() {
        let h = csv_headers(
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
        );
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "shipment_id"), Some((0, MatchHow::Alias)));
        assert_eq!(col_of(&r, "quantity"), Some((3, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "ship_date"), Some((4, MatchHow::Alias)));
        assert_eq!(col_of(&r, "unit_price"), Some((5, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "customer_id"), Some((6, MatchHow::Canonical)));
        assert!(
            r.get("revenue").is_none(),
            "revenue comes from quantity × price"
        );
        assert_eq!(r.mapped.len(), 5);
        assert_eq!(
            r.unmapped,
            vec![
                (1, "StockCode".to_string(), NO_ALIAS.to_string()),
                (2, "Description".to_string(), NO_ALIAS.to_string()),
                (7, "Country".to_string(), NO_ALIAS.to_string()),
            ]
        );
    }

    #[test]
    fn revenue_needs_both_quantity_and_unit_price() {
        let h = csv_headers("CustomerID,InvoiceDate,Quantity");
        let e = resolve(Dataset::Shipments, &h, &[]).unwrap_err();
        assert!(e.contains("  revenue: tried revenue, 运费"), "{e}");
        assert!(e.contains("or all of quantity, unit_price"), "{e}");
        assert!(!e.contains("customer_id:"), "{e}");
    }

    #[test]
    fn superstore_orders() {
        let h = csv_headers(
            "Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,\
             Country,City,State,Postal Code,Region,Product ID,Category,Sub-Category,\
             Product Name,Sales,Quantity,Discount,Profit",
        );
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        let got: Vec<_> = r
            .mapped
            .iter()
            .map(|m| (m.field, m.column, m.how))
            .collect();
        assert_eq!(
            got,
            [
                ("shipment_id", 1, MatchHow::Alias),
                ("customer_id", 5, MatchHow::Canonical),
                ("customer_name", 6, MatchHow::Canonical),
                ("ship_date", 3, MatchHow::Canonical),
                ("revenue", 17, MatchHow::Alias),
                ("mode", 4, MatchHow::Alias),
                ("quantity", 18, MatchHow::Canonical),
            ]
        );
        assert_eq!(
            r.unmapped[1],
            (
                2,
                "Order Date".to_string(),
                "also matches 'ship_date', but column 'Ship Date' was used".to_string()
            )
        );
    }

    #[test]
    fn arbitrary_headers_never_panic() {
        const ALPHABET: &[char] = &[
            'a',
            'Z',
            '1',
            ' ',
            '_',
            '-',
            '.',
            '/',
            '(',
            ')',
            '[',
            ']',
            '（',
            '）',
            '【',
            '】',
            '\u{FEFF}',
            '\u{A0}',
            '\u{3000}',
            '\u{200B}',
            '\u{0}',
            '\u{1F}',
            '\u{7F}',
            '客',
            '户',
            '编',
            '号',
            '日',
            '期',
            'Ｕ',
            '＿',
            'İ',
            'ß',
            '😀',
            '\u{10FFFF}',
            '\u{FFFD}',
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let n = (next() % 12) as usize;
            let headers: Vec<String> = (0..n)
                .map(|_| {
                    let len = (next() % 10) as usize;
                    (0..len)
                        .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                        .collect()
                })
                .collect();
            for ds in Dataset::ALL {
                let _ = resolve(ds, &headers, &[]);
                if let Some(h) = headers.first() {
                    let _ = resolve(ds, &headers, &[("customer_id".to_string(), h.clone())]);
                }
            }
        }
    }

    #[test]
    fn cdnow_transactions() {
        let h = csv_headers("customer_id,date,amount,quantity");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "customer_id"), Some((0, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "ship_date"), Some((1, MatchHow::Alias)));
        assert_eq!(col_of(&r, "revenue"), Some((2, MatchHow::Alias)));
        assert_eq!(col_of(&r, "quantity"), Some((3, MatchHow::Canonical)));
        assert!(r.unmapped.is_empty());
    }

    #[test]
    fn earlier_alias_wins_over_leftmost_column() {
        let h = csv_headers("客户编号,日期,发货日期,运费");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "ship_date"), Some((2, MatchHow::Alias)));
        assert_eq!(
            r.unmapped,
            vec![(
                1,
                "日期".to_string(),
                "also matches 'ship_date', but column '发货日期' was used".to_string()
            )]
        );
    }

    #[test]
    fn canonical_wins_over_alias_and_leftmost_wins_ties() {
        let h = csv_headers("customer,Date,ship_date,customer_id,amount,Amount (CNY)");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "customer_id"), Some((3, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "ship_date"), Some((2, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "revenue"), Some((4, MatchHow::Alias)));
        let why: Vec<_> = r.unmapped.iter().map(|u| (u.0, u.2.as_str())).collect();
        assert_eq!(
            why,
            [
                (
                    0,
                    "also matches 'customer_id', but column 'customer_id' was used"
                ),
                (
                    1,
                    "also matches 'ship_date', but column 'ship_date' was used"
                ),
                (5, "also matches 'revenue', but column 'amount' was used"),
            ]
        );
    }

    #[test]
    fn duplicate_headers_leftmost() {
        let h = csv_headers("customer_id,date,amount,date");
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "ship_date"), Some((1, MatchHow::Alias)));
        assert_eq!(r.unmapped[0].0, 3);
        assert_eq!(
            r.unmapped[0].2,
            "also matches 'ship_date', but column 'date' was used"
        );
    }

    #[test]
    fn empty_headers_never_match() {
        let h = strings(&["", "customer_id", " ", "date", "amount", "\u{FEFF}"]);
        let r = resolve(Dataset::Shipments, &h, &[]).unwrap();
        let un: Vec<_> = r.unmapped.iter().map(|u| (u.0, u.2.as_str())).collect();
        assert_eq!(un, [(0, NO_ALIAS), (2, NO_ALIAS), (5, NO_ALIAS)]);
    }

    #[test]
    fn other_datasets() {
        let h = csv_headers(
            "发票号码,客户编号,客户名称,开票日期,到期日,价税合计,已收金额,收款日期,币种",
        );
        let r = resolve(Dataset::Invoices, &h, &[]).unwrap();
        assert_eq!(r.mapped.len(), 9);
        assert!(r.unmapped.is_empty());
        assert_eq!(col_of(&r, "amount"), Some((5, MatchHow::Alias)));

        let h = csv_headers("Invoice No,Payment Date,Amount Received");
        let r = resolve(Dataset::Payments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "invoice_id"), Some((0, MatchHow::Alias)));
        assert_eq!(col_of(&r, "payment_date"), Some((1, MatchHow::Canonical)));
        assert_eq!(col_of(&r, "amount"), Some((2, MatchHow::Alias)));

        let h = csv_headers(
            "公司名称,报告期,货币资金,应收账款,存货,流动资产合计,流动负债合计,营业收入,营业成本,净利润",
        );
        let r = resolve(Dataset::Financials, &h, &[]).unwrap();
        assert_eq!(r.mapped.len(), 10);
        assert!(r.unmapped.is_empty());
    }

    #[test]
    fn payments_need_invoice_or_customer() {
        let h = csv_headers("customer,date,amount");
        let r = resolve(Dataset::Payments, &h, &[]).unwrap();
        assert_eq!(col_of(&r, "customer_id"), Some((0, MatchHow::Alias)));
        assert!(r.get("invoice_id").is_none());

        let h = csv_headers("date,amount,memo");
        let e = resolve(Dataset::Payments, &h, &[]).unwrap_err();
        assert!(
            e.starts_with("no column found for required field of payments:\n"),
            "{e}"
        );
        assert!(e.contains("  one of invoice_id / customer_id:"), "{e}");
        assert!(
            e.contains("\n    invoice_id: tried invoice_id, 发票号"),
            "{e}"
        );
        assert!(
            e.contains("\n    customer_id: tried customer_id, 客户编号"),
            "{e}"
        );
        assert!(e.contains("headers found: 'date', 'amount', 'memo'"), "{e}");
        assert!(e.ends_with(MAP_HINT), "{e}");
    }

    #[test]
    fn missing_required_message() {
        let h = csv_headers("Foo,Bar,Date");
        let e = resolve(Dataset::Shipments, &h, &[]).unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(
            lines[0],
            "no column found for required fields of shipments:"
        );
        assert!(
            lines[1].starts_with("  customer_id: tried customer_id, 客户编号, 客户代码, 客户ID")
        );
        assert!(lines[2].starts_with("  revenue: tried revenue, 运费, 金额, 收入"));
        assert!(
            lines[2]
                .ends_with("; or all of quantity, unit_price (revenue = quantity × unit_price)")
        );
        assert_eq!(lines[3], "headers found: 'Foo', 'Bar', 'Date'");
        assert_eq!(
            lines[4],
            "map a column with --map FIELD=HEADER or a [columns] section in crm.toml"
        );
        assert_eq!(lines.len(), 5);
        // ship_date was found (Date), so it is not listed; the file is not named.
        assert!(!e.contains("ship_date"));

        let e = resolve(Dataset::Invoices, &[], &[]).unwrap_err();
        assert!(e.contains("headers found: (none)"), "{e}");
        for f in ["invoice_id", "customer_id", "invoice_date", "amount"] {
            assert!(e.contains(&format!("\n  {f}: tried {f}, ")), "{e}");
        }
    }

    #[test]
    fn long_and_odd_headers_in_messages() {
        let mut h: Vec<String> = (0..100).map(|i| format!("col{i}")).collect();
        h.push("x".repeat(500));
        h.push("a\u{0}b\u{FEFF}".to_string());
        let e = resolve(Dataset::Financials, &h, &[]).unwrap_err();
        assert!(e.contains("'col59', ... (42 more)"), "{e}");
        assert!(!e.contains("col60"), "{e}");
        assert_eq!(
            shorten(&"x".repeat(500)).chars().count(),
            MAX_HEADER_CHARS + 1
        );
        assert_eq!(shorten("a\u{0}b\u{FEFF}"), "a\\u{0}b\\u{feff}");
    }

    // --- overrides -------------------------------------------------------------------------

    #[test]
    fn override_exact_header() {
        let h = csv_headers("客户编号,日期,Freight USD,Other Amount,金额");
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "Freight USD")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((2, MatchHow::Override)));
        assert_eq!(r.get("revenue").unwrap().header, "Freight USD");
        assert_eq!(r.get("revenue").unwrap().kind, Kind::Money);
        assert_eq!(
            r.unmapped,
            vec![
                (3, "Other Amount".to_string(), NO_ALIAS.to_string()),
                (
                    4,
                    "金额".to_string(),
                    "also matches 'revenue', but column 'Freight USD' was used".to_string()
                ),
            ]
        );
    }

    #[test]
    fn override_normalized_header_and_field() {
        let h = csv_headers("客户编号,日期,\u{FEFF}Freight (USD),Freight_USD");
        // Exact match preferred over an earlier normalized match.
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "Freight_USD")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((3, MatchHow::Override)));
        // Normalized match: leftmost.
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("Revenue", "freight usd")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((3, MatchHow::Override)));
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "ＦＲＥＩＧＨＴ")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((2, MatchHow::Override)));
        // Field spelled loosely.
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("Ship-Date", "日期"), ("revenue", "Freight_USD")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "ship_date"), Some((1, MatchHow::Override)));
    }

    #[test]
    fn override_takes_a_column_from_another_field() {
        // `金额` would be revenue; mapping it to cost leaves revenue to `运费`.
        let h = csv_headers("客户编号,日期,金额,运费");
        let r = resolve(Dataset::Shipments, &h, &pairs(&[("cost", "金额")])).unwrap();
        assert_eq!(col_of(&r, "cost"), Some((2, MatchHow::Override)));
        assert_eq!(col_of(&r, "revenue"), Some((3, MatchHow::Alias)));
        assert!(r.unmapped.is_empty());
        // Overrides can satisfy required fields.
        let h = csv_headers("Kunde,Datum,Betrag");
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[
                ("customer_id", "Kunde"),
                ("ship_date", "Datum"),
                ("revenue", "Betrag"),
            ]),
        )
        .unwrap();
        assert_eq!(r.mapped.len(), 3);
        assert!(r.mapped.iter().all(|m| m.how == MatchHow::Override));
    }

    #[test]
    fn override_last_pair_wins() {
        let h = csv_headers("customer_id,date,A,B");
        let r = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "Missing"), ("revenue", "A"), ("revenue", "B")]),
        )
        .unwrap();
        assert_eq!(col_of(&r, "revenue"), Some((3, MatchHow::Override)));
        assert_eq!(r.unmapped, vec![(2, "A".to_string(), NO_ALIAS.to_string())]);
    }

    #[test]
    fn override_unknown_field() {
        let h = csv_headers("customer_id,date,amount");
        let e = resolve(Dataset::Shipments, &h, &pairs(&[("revenu", "amount")])).unwrap_err();
        assert_eq!(
            e,
            "unknown field 'revenu' in --map; fields of shipments: shipment_id, customer_id, \
             customer_name, ship_date, revenue, cost, lane, origin, destination, mode, teu, \
             weight_kg, promised_date, delivered_date, status, currency, quantity, unit_price"
        );
        let e = resolve(Dataset::Payments, &h, &pairs(&[("", "amount")])).unwrap_err();
        assert!(e.starts_with("unknown field '' in --map; fields of payments: invoice_id"));
        // A field of another dataset is unknown here.
        let e = resolve(Dataset::Invoices, &h, &pairs(&[("ship_date", "date")])).unwrap_err();
        assert!(e.starts_with("unknown field 'ship_date' in --map; fields of invoices:"));
    }

    #[test]
    fn override_unknown_header() {
        let h = csv_headers("customer_id,date,amount");
        let e = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "Freight USD")]),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "column 'Freight USD' given for field 'revenue' (--map / [columns]) not found; \
             headers found: 'customer_id', 'date', 'amount'"
        );
        let e = resolve(Dataset::Shipments, &h, &pairs(&[("revenue", " ")])).unwrap_err();
        assert!(e.contains("not found"), "{e}");
    }

    #[test]
    fn override_two_fields_one_column() {
        let h = csv_headers("customer_id,date,amount");
        let e = resolve(
            Dataset::Shipments,
            &h,
            &pairs(&[("revenue", "amount"), ("cost", "Amount")]),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "column 'amount' is mapped to both 'revenue' and 'cost' (--map / [columns]); \
             a column can feed only one field"
        );
    }

    // --- documentation ---------------------------------------------------------------------

    fn required_label(ds: Dataset, f: &FieldSpec) -> String {
        if let Some(group) = one_of_groups(ds).iter().find(|g| g.contains(&f.name)) {
            return format!("one of {}", group.join(" / "));
        }
        match (f.required, substitutes(ds, f.name)) {
            (true, Some(subs)) => format!("yes, or {}", subs.join(" + ")),
            (true, None) => "yes".to_string(),
            (false, _) => "no".to_string(),
        }
    }

    /// The markdown table of a dataset, as it must appear in docs/columns.md.
    fn doc_table(ds: Dataset) -> String {
        let mut s = String::from("| Field | Kind | Required | Aliases |\n|---|---|---|---|\n");
        for f in fields(ds) {
            let aliases = f
                .aliases
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                f.name,
                f.kind.name(),
                required_label(ds, f),
                aliases
            );
        }
        s
    }

    const DOC: &str = include_str!("../../docs/columns.md");

    #[test]
    fn docs_tables_match_the_code() {
        for ds in Dataset::ALL {
            let table = doc_table(ds);
            assert!(
                DOC.contains(&table),
                "docs/columns.md is out of date for {}; expected this table:\n\n{table}\n\
                 (run `cargo test print_doc_tables -- --ignored --nocapture`)",
                ds.name()
            );
            for f in fields(ds) {
                for a in f.aliases {
                    assert!(DOC.contains(&format!("`{a}`")), "{}: {a}", ds.name());
                }
            }
        }
    }

    #[test]
    fn docs_error_example_is_real() {
        let e = resolve(Dataset::Shipments, &csv_headers("Kunde,Date,Amount"), &[]).unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert!(DOC.contains(&format!("sales.csv: {}\n", lines[0])), "{e}");
        assert!(
            lines[1].starts_with("  customer_id: tried customer_id, 客户编号, 客户代码, 客户ID, ")
        );
        assert!(
            DOC.contains("  customer_id: tried customer_id, 客户编号, 客户代码, 客户ID, ...\n")
        );
        for line in &lines[2..] {
            assert!(DOC.contains(&format!("{line}\n")), "{line}");
        }
    }

    #[test]
    #[ignore = "prints the tables of docs/columns.md"]
    fn print_doc_tables() {
        for ds in Dataset::ALL {
            println!("## {}\n\n{}", ds.name(), doc_table(ds));
        }
    }
}
