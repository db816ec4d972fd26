using System.Globalization;
using System.Text;

namespace Madoguchi.Bench;

/// <summary>
/// Writes a deterministic municipal inventory (the layout of the 江東区 sheet) with the fixture's
/// proportions: about 62% 可, plan years weighted towards 令和7–8年度, a tool on two thirds of the
/// eligible rows, 済 mostly for early plan years, and counts spread over four orders of magnitude.
/// </summary>
internal static class InventoryGenerator
{
    public const string Header = "手続ID,手続名,所管部,所管課,根拠法令,手続類型,申請者区分,オンライン化可否,不可理由,オンライン化予定年度,利用ツール,オンライン化状況,オンライン化年月,年間申請件数,うちオンライン申請件数";

    private static readonly (string Bu, string Ka)[] Departments =
    [
        ("総務部", "総務課"), ("総務部", "職員課"), ("総務部", "防災課"), ("政策経営部", "企画課"), ("政策経営部", "財政課"),
        ("区民部", "区民課"), ("区民部", "税務課"), ("区民部", "医療保険課"), ("福祉部", "福祉課"), ("福祉部", "障害者支援課"),
        ("福祉部", "介護保険課"), ("こども未来部", "子育て支援課"), ("こども未来部", "保育支援課"), ("健康部", "健康推進課"),
        ("健康部", "生活衛生課"), ("都市整備部", "都市計画課"), ("都市整備部", "建築調整課"), ("環境清掃部", "清掃リサイクル課"),
        ("地域振興部", "経済課"), ("教育委員会事務局", "学務課"), ("教育委員会事務局", "学校施設課"), ("会計管理室", "会計課"),
    ];

    private static readonly string[] Subjects = ["助成金", "名簿登録", "事業者登録", "登録事項", "証明書交付", "物品貸出", "施設使用", "補助金", "手当", "許可"];
    private static readonly (string Type, string Suffix)[] Types = [("申請", "申請"), ("届出", "届"), ("請求", "請求"), ("予約", "予約"), ("申出", "申出")];
    private static readonly string[] Actions = ["", "変更", "廃止", "更新", "再交付"];
    private static readonly string[] Laws = ["障害者総合支援法", "江東区規則", "戸籍法", "地方税法", "住民基本台帳法", "都市計画法", "建築基準法", "食品衛生法", "児童福祉法", "江東区条例", "介護保険法", "国民健康保険法"];
    private static readonly string[] Actors = ["個人", "事業者", "個人・事業者"];
    private static readonly string[] Reasons = ["法令等で書面による手続を規定", "原本の提示が必要", "申請者の具体的な状況を対面で把握する必要がある", "本人確認を対面で行う必要がある", "国・都により様式が指定されている"];
    // Weights as in the fixture (令和5年度まで 147, 令和6年度 66, 令和7年度 668, 令和8年度 864, 令和9年度 161).
    private static readonly (string Label, int Weight)[] PlanYears = [("令和5年度まで", 147), ("令和6年度", 66), ("令和7年度", 668), ("令和8年度", 864), ("令和9年度", 161)];
    private static readonly (string Tool, int Weight)[] Tools = [("", 656), ("LoGoフォーム", 761), ("その他", 311), ("共同運営電子申請サービス", 90), ("ぴったりサービス", 88)];

    /// <summary>Writes <paramref name="rows"/> procedures to a UTF-8 (BOM) CSV; the same count always gives the same bytes.</summary>
    public static void Write(string path, int rows, int seed = 20250301)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(true));
        writer.NewLine = "\r\n";
        writer.WriteLine(Header);
        var line = new StringBuilder(256);
        for (var i = 1; i <= rows; i++)
        {
            var (bu, ka) = Departments[random.Next(Departments.Length)];
            var (type, suffix) = Types[random.Next(Types.Length)];
            var name = $"{Subjects[random.Next(Subjects.Length)]}{Actions[random.Next(Actions.Length)]}{suffix}({ka})";
            var eligible = random.Next(100) < 62;
            string reason = "", plan = "", tool = "", status = "未", since = "", online = "";
            if (eligible)
            {
                var planIndex = Pick(random, PlanYears);
                plan = PlanYears[planIndex].Label;
                tool = Tools[Pick(random, Tools)].Tool;
                // Procedures planned early are mostly done by now; later ones rarely.
                if (random.Next(100) < (planIndex <= 1 ? 60 : 6))
                {
                    status = "済";
                    var month = new DateOnly(2022, 4, 1).AddMonths(random.Next(36));
                    since = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                }
            }
            else
            {
                reason = Reasons[random.Next(Reasons.Length)];
            }
            // Log-uniform counts from 1 to about 5,000, as in a real sheet; a few rows have none.
            var total = random.Next(50) == 0 ? "" : ((int)Math.Exp(random.NextDouble() * 8.5)).ToString(CultureInfo.InvariantCulture);
            if (status == "済" && total.Length > 0)
            {
                online = random.Next(int.Parse(total, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            }
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"BM-{i:000000}").Append(',').Append(name).Append(',').Append(bu).Append(',').Append(ka)
                .Append(',').Append(Laws[random.Next(Laws.Length)]).Append(',').Append(type).Append(',').Append(Actors[random.Next(Actors.Length)])
                .Append(',').Append(eligible ? "可" : "不可").Append(',').Append(reason).Append(',').Append(plan).Append(',').Append(tool)
                .Append(',').Append(status).Append(',').Append(since).Append(',').Append(total).Append(',').Append(online);
            writer.WriteLine(line);
        }
    }

    private static int Pick<T>(Random random, (T, int Weight)[] weighted)
    {
        var n = random.Next(weighted.Sum(w => w.Weight));
        for (var i = 0; i < weighted.Length; i++)
        {
            if ((n -= weighted[i].Weight) < 0) return i;
        }
        return weighted.Length - 1;
    }
}
