using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>
/// Koto City's demo inventory: 3,058 fictitious procedures whose KPIs as of 2025-03-31 equal the
/// tables of the FY2025 external audit (1,906 eligible, 231 online; by plan year 147/147, 55/66,
/// 11/668, 12/864, 6/161; FY2024 by tool 23/30, 2/2, 1/2, 29/32). The counts per plan year, tool
/// and status are fixed; a seeded Random spreads them over departments, names, dates and volumes,
/// so every run gives the same inventory.
/// </summary>
public static class DemoInventory
{
    public const int Seed = 20250331;
    public const int Count = 3058;

    private const string LoGo = "LoGoフォーム";
    private const string Pittari = "ぴったりサービス";
    private const string Kyodo = "共同運営電子申請サービス";
    private const string Other = "その他";

    /// <summary>Eligible procedures: (plan year, tool, online by 2025-03-31, not online) — the audit's tables.</summary>
    private static readonly (int Year, string Tool, int Done, int NotDone)[] Plan =
    [
        (2023, LoGo, 79, 0), (2023, Other, 40, 0), (2023, Pittari, 15, 0), (2023, Kyodo, 13, 0),
        (2024, LoGo, 23, 7), (2024, Pittari, 2, 0), (2024, Kyodo, 1, 1), (2024, Other, 29, 3),
        (2025, "", 0, 271), (2025, LoGo, 5, 251), (2025, Other, 6, 91), (2025, Pittari, 0, 22), (2025, Kyodo, 0, 22),
        (2026, LoGo, 7, 328), (2026, "", 0, 327), (2026, Other, 4, 114), (2026, Kyodo, 0, 46), (2026, Pittari, 1, 37),
        (2027, "", 0, 58), (2027, LoGo, 3, 58), (2027, Other, 2, 22), (2027, Pittari, 1, 10), (2027, Kyodo, 0, 7),
    ];

    private const int Ineligible = 1152;

    /// <summary>FY2025 procedures that go online after the audit date, so a later as-of date shows progress.</summary>
    private static readonly (int Year, int Month, int Count)[] Later = [(2025, 5, 3), (2025, 6, 4), (2025, 10, 5), (2026, 1, 3)];

    /// <summary>部/課 and how many procedures each owns (the shape of the ward's own sheet).</summary>
    private static readonly (string Bu, string Ka, int Count)[] Sections =
    [
        ("政策経営部", "企画課", 63), ("政策経営部", "財政課", 41), ("政策経営部", "広報広聴課", 60), ("政策経営部", "情報システム課", 53), ("政策経営部", "DX推進課", 48),
        ("総務部", "総務課", 45), ("総務部", "職員課", 47), ("総務部", "経理課", 52), ("総務部", "営繕課", 53), ("総務部", "危機管理課", 49), ("総務部", "防災計画課", 40),
        ("地域振興部", "地域振興課", 53), ("地域振興部", "文化観光課", 48), ("地域振興部", "スポーツ振興課", 64), ("地域振興部", "経済課", 74),
        ("区民部", "区民課", 88), ("区民部", "課税課", 55), ("区民部", "納税課", 55), ("区民部", "医療保険課", 57),
        ("福祉部", "福祉課", 55), ("福祉部", "長寿応援課", 54), ("福祉部", "介護保険課", 122), ("福祉部", "地域ケア推進課", 44),
        ("障害福祉部", "障害者施策課", 52), ("障害福祉部", "障害者支援課", 55),
        ("生活支援部", "保護第一課", 44), ("生活支援部", "保護第二課", 52),
        ("こども未来部", "子育て支援課", 45), ("こども未来部", "保育計画課", 58), ("こども未来部", "保育支援課", 87), ("こども未来部", "養護育成課", 60),
        ("健康部", "健康推進課", 85), ("健康部", "保健予防課", 47), ("健康部", "生活衛生課", 124),
        ("環境清掃部", "温暖化対策課", 51), ("環境清掃部", "環境保全課", 64), ("環境清掃部", "清掃リサイクル課", 49),
        ("都市整備部", "都市計画課", 45), ("都市整備部", "まちづくり推進課", 52), ("都市整備部", "住宅課", 49), ("都市整備部", "建築課", 43), ("都市整備部", "建築調整課", 50),
        ("土木部", "管理課", 63), ("土木部", "道路課", 54), ("土木部", "河川公園課", 53), ("土木部", "施設保全課", 48),
        ("会計管理室", "会計課", 54),
        ("教育委員会事務局", "庶務課", 47), ("教育委員会事務局", "学務課", 66), ("教育委員会事務局", "学校施設課", 66), ("教育委員会事務局", "指導室", 52), ("教育委員会事務局", "江東図書館", 61),
        ("選挙管理委員会事務局", "選挙課", 62),
    ];

    /// <summary>Subjects a 課 handles, with the personal life events (national survey list) residents meet them in.</summary>
    private static readonly Dictionary<string, (string Subject, string[] Events)[]> Subjects = new()
    {
        ["区民課"] = [("転入", ["引越し"]), ("転出", ["引越し"]), ("転居", ["引越し"]), ("世帯変更", ["引越し", "結婚・離婚"]), ("印鑑登録", ["引越し", "住宅の購入・保有"]),
            ("住民票の写し", ["引越し", "就職・転職"]), ("戸籍全部事項証明書", ["結婚・離婚", "死亡・相続"]), ("婚姻", ["結婚・離婚"]), ("離婚", ["結婚・離婚"]),
            ("出生", ["出生・こども"]), ("死亡", ["死亡・相続"]), ("マイナンバーカード交付", [])],
        ["課税課"] = [("住民税申告", ["税金", "就職・転職"]), ("軽自動車税減免", ["税金", "自動車の購入・保有"]), ("課税証明書", ["税金"]), ("軽自動車登録", ["自動車の購入・保有", "税金"])],
        ["納税課"] = [("納税証明書", ["税金"]), ("特別区民税口座振替", ["税金"]), ("徴収猶予", ["税金"])],
        ["医療保険課"] = [("国民健康保険加入", ["引越し", "就職・転職"]), ("国民健康保険脱退", ["就職・転職"]), ("国民年金加入", ["就職・転職", "年金の受給"]),
            ("年金受給権者死亡", ["年金の受給", "死亡・相続"]), ("高額療養費", ["医療・健康"]), ("出産育児一時金", ["妊娠", "出生・こども"]), ("葬祭費", ["死亡・相続"])],
        ["介護保険課"] = [("要介護認定", ["介護"]), ("要支援認定", ["介護"]), ("住宅改修費", ["介護", "住宅の購入・保有"]), ("福祉用具購入費", ["介護"]),
            ("負担限度額認定", ["介護"]), ("高額介護サービス費", ["介護"]), ("介護保険被保険者証", ["介護", "引越し"])],
        ["長寿応援課"] = [("高齢者緊急通報システム", ["介護"]), ("高齢者住宅設備改修", ["介護", "住宅の購入・保有"])],
        ["子育て支援課"] = [("児童手当", ["出生・こども"]), ("子ども医療費助成", ["出生・こども", "医療・健康"]), ("児童扶養手当", ["出生・こども", "結婚・離婚"])],
        ["保育支援課"] = [("保育所入所", ["出生・こども", "就職・転職"]), ("保育所退所", ["出生・こども"]), ("保育所転所", ["出生・こども", "引越し"]),
            ("一時保育", ["出生・こども"]), ("病児保育", ["出生・こども"]), ("ベビーシッター利用支援", ["出生・こども", "就職・転職"])],
        ["健康推進課"] = [("妊娠届出", ["妊娠"]), ("妊婦健康診査", ["妊娠", "医療・健康"]), ("特定健康診査", ["医療・健康"]), ("がん検診", ["医療・健康"]), ("成人歯科健診", ["医療・健康"])],
        ["保健予防課"] = [("予防接種", ["出生・こども", "医療・健康"]), ("母子健康手帳", ["妊娠"]), ("精神保健福祉相談", ["医療・健康"])],
        ["生活衛生課"] = [("飲食店営業", []), ("理容所", []), ("美容所", []), ("クリーニング所", []), ("旅館業", []), ("薬局", []), ("診療所", []), ("犬の登録", [])],
        ["障害者支援課"] = [("障害福祉サービス受給者証", ["医療・健康"]), ("補装具費支給", ["医療・健康"])],
        ["住宅課"] = [("区営住宅入居", ["住宅の購入・保有", "引越し"]), ("住宅修築資金助成", ["住宅の購入・保有"])],
        ["経済課"] = [("中小企業融資あっせん", []), ("創業支援", ["就職・転職"]), ("計量器定期検査", [])],
        ["管理課"] = [("道路使用承認", []), ("屋外広告物許可", []), ("自転車駐車場利用", ["自動車の購入・保有"])],
        ["学務課"] = [("就学援助", ["出生・こども"]), ("区立学校入学", ["出生・こども", "引越し"]), ("学区域変更", ["出生・こども", "引越し"])],
        ["保護第一課"] = [("生活保護", ["医療・健康"])],
        ["保護第二課"] = [("生活保護", ["医療・健康"])],
    };

    /// <summary>Subjects every 課 has; their names carry the 課 as in the ward's sheet.</summary>
    private static readonly string[] GenericSubjects =
    [
        "イベント参加", "登録事項", "事業者登録", "資格確認", "施設使用許可", "物品貸出", "相談予約", "助成金", "講座参加", "減免",
        "情報公開請求", "還付", "補助金交付", "資料閲覧", "委員推薦", "名簿登録", "後援名義使用", "証明書交付", "研修受講", "認定",
    ];

    private static readonly (string Suffix, string Type)[] Actions =
    [
        ("申請", "申請"), ("届", "届出"), ("請求", "請求"), ("予約", "予約"), ("申出", "申出"),
        ("変更届", "届出"), ("廃止届", "届出"), ("更新申請", "申請"), ("再交付申請", "申請"), ("承認申請", "申請"),
    ];

    private static readonly string[] Laws =
    [
        "地方自治法", "住民基本台帳法", "戸籍法", "地方税法", "介護保険法", "児童福祉法", "子ども・子育て支援法", "障害者総合支援法",
        "食品衛生法", "医療法", "医薬品医療機器等法", "建築基準法", "都市計画法", "道路法", "生活保護法", "江東区条例", "江東区規則", "江東区要綱",
    ];

    private static readonly string[] IneligibleReasons =
    [
        "法令等で書面による手続を規定", "原本の提示が必要", "申請者の具体的な状況を対面で把握する必要がある",
        "本人確認を対面で行う必要がある", "国・都により様式が指定されている",
    ];

    private static readonly string[] Actors = ["個人", "事業者", "個人・事業者"];

    private sealed record Slot(bool Eligible, int? Year, string Tool, bool Done, DateOnly? Later = null);

    public static List<Procedure> Create(DateTimeOffset now)
    {
        var rng = new Random(Seed);
        var departments = Sections.ToDictionary(s => (s.Bu, s.Ka), s => new Department { Bu = s.Bu, Ka = s.Ka });
        var eisei = departments[("健康部", "生活衛生課")];

        // The audit's named procedures (FY2024 volumes) take three of the FY2024 LoGoフォーム procedures done.
        var named = new List<Procedure>
        {
            Named("変更届(医療法)", "医療法", eisei, 153, 26),
            Named("麻薬小売業者の年間届", "麻薬及び向精神薬取締法", eisei, 204, 96),
            Named("取扱処方箋数届出書", "医療法", eisei, 122, 47),
        };

        var slots = new List<Slot>();
        foreach (var (year, tool, done, notDone) in Plan)
        {
            var take = year == 2024 && tool == LoGo ? named.Count : 0;
            for (var i = 0; i < done - take; i++) slots.Add(new Slot(true, year, tool, true));
            for (var i = 0; i < notDone; i++) slots.Add(new Slot(true, year, tool, false));
        }
        for (var i = 0; i < Ineligible; i++) slots.Add(new Slot(false, null, "", false));
        // Later ones are FY2025 plans not done on 2025-03-31: they change no audit figure.
        var laterDates = Later.SelectMany(l => Enumerable.Repeat(new DateOnly(l.Year, l.Month, 1), l.Count)).ToList();
        for (int i = 0, k = 0; i < slots.Count && k < laterDates.Count; i++)
        {
            if (slots[i] is { Year: 2025, Done: false, Tool.Length: > 0 } s && i % 7 == 0) slots[i] = s with { Later = laterDates[k++] };
        }
        Shuffle(slots, rng);

        var owners = Sections.SelectMany(s => Enumerable.Repeat(departments[(s.Bu, s.Ka)], s.Count - (s.Ka == "生活衛生課" ? named.Count : 0))).ToList();
        Shuffle(owners, rng);
        if (owners.Count != slots.Count) throw new InvalidOperationException($"demo inventory: {owners.Count} owners for {slots.Count} procedures");

        var names = new HashSet<string>(named.Select(p => p.Name), StringComparer.Ordinal);
        var result = new List<Procedure>(Count);
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            var dept = owners[i];
            var (name, type, events) = NameFor(dept, names, rng);
            var p = new Procedure
            {
                Name = name,
                Layout = InventoryLayout.Municipal,
                Department = dept,
                LawName = Laws[rng.Next(Laws.Length)],
                ProcedureType = type,
                Actor = Actors[rng.Next(Actors.Length)],
                OnlineEligible = slot.Eligible,
                IneligibleReason = slot.Eligible ? "" : IneligibleReasons[rng.Next(IneligibleReasons.Length)],
                PlanFiscalYear = slot.Year,
                PlanYearBound = slot.Year == 2023 ? PlanYearBound.OrEarlier : PlanYearBound.Exact,
                Tool = slot.Tool,
                Status = slot.Done || slot.Later is not null ? OnlineStatus.Done : OnlineStatus.NotDone,
                OnlineSince = slot.Later ?? (slot.Done ? OnlineMonth(slot.Year!.Value, rng) : null),
                LifeEvents = [.. events.Select(e => new ProcedureLifeEvent { Kind = LifeEventKind.Personal, Event = e })],
            };
            p.Volumes = [Volume(p, rng)];
            result.Add(p);
        }
        // The named procedures sit among the others rather than at the top of the list.
        for (var i = 0; i < named.Count; i++) result.Insert(500 + i * 977, named[i]);
        for (var i = 0; i < result.Count; i++)
        {
            result[i].Code = $"KT-{i + 1:00000}";
            result[i].CreatedAt = now;
            result[i].UpdatedAt = now;
            foreach (var e in result[i].LifeEvents) e.ProcedureId = result[i].Id;
            foreach (var v in result[i].Volumes) v.ProcedureId = result[i].Id;
        }
        return result;
    }

    private static Procedure Named(string name, string law, Department dept, int total, int online) => new()
    {
        Name = name,
        Layout = InventoryLayout.Municipal,
        Department = dept,
        LawName = law,
        ProcedureType = "届出",
        Actor = "事業者",
        OnlineEligible = true,
        PlanFiscalYear = 2024,
        Tool = LoGo,
        Status = OnlineStatus.Done,
        OnlineSince = new DateOnly(2024, 7, 1),
        LifeEvents = name.Contains("医療法", StringComparison.Ordinal) ? [new ProcedureLifeEvent { Kind = LifeEventKind.Personal, Event = "医療・健康" }] : [],
        Volumes = [new ProcedureVolume { FiscalYear = 2024, Total = total, Online = online, NonOnline = total - online }],
    };

    private static (string Name, string Type, string[] Events) NameFor(Department dept, HashSet<string> taken, Random rng)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (suffix, type) = Actions[rng.Next(Actions.Length)];
            string name;
            string[] events = [];
            if (Subjects.TryGetValue(dept.Ka, out var own) && rng.NextDouble() < 0.6)
            {
                var (subject, ev) = own[rng.Next(own.Length)];
                name = subject + suffix;
                events = ev;
            }
            else
            {
                name = $"{GenericSubjects[rng.Next(GenericSubjects.Length)]}{suffix}({dept.Ka})";
            }
            if (attempt > 50) name += $"（{attempt}）";
            if (taken.Add(name)) return (name, type, events);
        }
    }

    /// <summary>
    /// The month a procedure went online: up to FY2023 spread over the years since 2005 (more of
    /// them recent), FY2024 plans and those ahead of plan within FY2024, most around the summer.
    /// </summary>
    private static DateOnly OnlineMonth(int planYear, Random rng)
    {
        if (planYear <= 2023)
        {
            var year = 2005 + (int)(19 * Math.Sqrt(rng.NextDouble()));
            return new DateOnly(Math.Min(year, 2023), rng.Next(1, 13), 1);
        }
        int[] weights = [7, 8, 10, 10, 6, 6, 8, 7, 8, 8, 4, 4]; // April … March
        var pick = rng.Next(weights.Sum());
        var m = 0;
        while (pick >= weights[m]) pick -= weights[m++];
        return new DateOnly(2024, 4, 1).AddMonths(m);
    }

    /// <summary>FY2024 filings; online counts only where the procedure was online during FY2024.</summary>
    private static ProcedureVolume Volume(Procedure p, Random rng)
    {
        // Log-normal around 25 filings a year, as in a ward's sheet (a few procedures with thousands).
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var total = (int)Math.Min(20000, Math.Round(Math.Exp(3.2 + 1.5 * gaussian)));
        var end = new DateOnly(2025, 3, 31);
        if (p.Status != OnlineStatus.Done || p.OnlineSince is not { } since || since > end)
        {
            return new ProcedureVolume { FiscalYear = 2024, Total = total };
        }
        var monthsOnline = since < new DateOnly(2024, 4, 1) ? 12 : (end.Year - since.Year) * 12 + end.Month - since.Month + 1;
        var share = 0.05 + rng.NextDouble() * 0.55;
        var online = (int)Math.Round(total * share * monthsOnline / 12.0);
        return new ProcedureVolume { FiscalYear = 2024, Total = total, Online = online, NonOnline = total - online };
    }

    private static void Shuffle<T>(List<T> list, Random rng)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
