using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Web.Features.Designer;

/// <summary>The form designer: staff pages under /staff/designer that edit a form's working definition.</summary>
public static class DesignerModule
{
    public static WebApplicationBuilder AddDesigner(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DesignerStore>();
        return builder;
    }
}

/// <summary>Words the designer pages share.</summary>
public static class DesignerText
{
    public static string Status(int? version, bool unpublished, bool changed) => version switch
    {
        null => "未公開（下書き）",
        int v when unpublished => $"受付停止中（第{v}版）",
        int v => $"第{v}版を公開中" + (changed ? "・未公開の変更あり" : ""),
    };

    /// <summary>Names of item types as staff see them.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Kinds =
    [
        ("text", "1行テキスト"), ("long-text", "複数行テキスト"), ("number", "数値"), ("email", "メールアドレス"), ("phone", "電話番号"),
        ("name", "氏名"), ("date", "日付"), ("postcode", "郵便番号"), ("address", "住所"), ("select", "プルダウン"),
        ("radio", "ラジオボタン"), ("checkbox", "チェックボックス"), ("file", "ファイル添付"), ("my-number", "個人番号"),
        ("corporate-number", "法人番号"), ("bank-account", "口座"), ("consent", "同意"),
        ("group", "繰り返しグループ"), ("static", "説明文"), ("fee", "手数料の表示"),
    ];

    public static string KindLabel(string kind) => Kinds.FirstOrDefault(k => k.Value == kind).Label ?? kind;

    public static string KindOf(FormItem item) => item switch
    {
        FormField f => FormParser.TypeName(f.Type),
        FormGroup => "group",
        StaticText => "static",
        FeeDisplay => "fee",
        _ => "",
    };

    public static string Condition(FormCondition? c) => c switch
    {
        null => "",
        { Operator: ConditionOperator.Filled } => $"「{c.Field}」が入力済みのとき表示",
        { Operator: ConditionOperator.Equals } => $"「{c.Field}」が {c.Values[0]} のとき表示",
        _ => $"「{c.Field}」が {string.Join("・", c.Values)} のいずれかのとき表示",
    };
}
