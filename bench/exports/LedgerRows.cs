using Madoguchi.Web.Features.Exports;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Bench.Exports;

/// <summary>
/// Deterministic ledger-like rows, 12 columns: receipt number, dates, an instant, Japanese names
/// and kana, postcode, address, phone, fee, copies, issued. One name in a thousand has 𠮷.
/// </summary>
internal static class LedgerRows
{
    public static readonly string[] Headings = ["受付番号", "受付日", "受付日時", "氏名", "フリガナ", "生年月日", "郵便番号", "住所", "電話番号", "手数料", "通数", "交付済"];
    private static readonly string[] Family = ["山田", "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "中村", "小林", "加藤", "𠮷田"];
    private static readonly string[] FamilyKana = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ"];
    private static readonly string[] Given = ["太郎", "花子", "一郎", "美咲", "翔太", "陽菜", "健", "さくら"];
    private static readonly string[] GivenKana = ["タロウ", "ハナコ", "イチロウ", "ミサキ", "ショウタ", "ヒナ", "ケン", "サクラ"];
    private static readonly string[] Towns = ["東陽", "豊洲", "亀戸", "大島", "砂町", "深川", "清澄", "門前仲町"];

    /// <summary>The values of row <paramref name="i"/> (1-based), typed as the ledger will hand them over.</summary>
    public static (string Receipt, DateOnly Received, DateTimeOffset At, string Name, string Kana, DateOnly Birth, string Postcode, string Address, string Phone, decimal Fee, int Copies, bool Issued) Row(int i)
    {
        var f = i % 1000 == 0 ? 10 : i % 10;
        var g = i / 10 % Given.Length;
        var received = new DateOnly(2025, 4, 1).AddDays(i % 365);
        var at = new DateTimeOffset(received.ToDateTime(new TimeOnly(0, 0)), TimeSpan.Zero).AddMinutes(i % 480);
        return ($"R7-{i:0000000}", received, at, $"{Family[f]} {Given[g]}", $"{FamilyKana[f]} {GivenKana[g]}", new DateOnly(1950, 1, 1).AddDays(i % 25000),
            "135-0016", $"東京都江東区{Towns[i % Towns.Length]}{i % 7 + 1}丁目{i % 30 + 1}番{i % 20 + 1}号", $"03-{i % 10000:0000}-{i % 9000 + 1000:0000}",
            300 * (i % 3 + 1), i % 3 + 1, i % 4 != 0);
    }

    public static async IAsyncEnumerable<ExportCell[]> Cells(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var r = Row(i);
            yield return [r.Receipt, r.Received, r.At, r.Name, r.Kana, r.Birth, r.Postcode, r.Address, r.Phone, r.Fee, r.Copies, r.Issued];
            if (i % 10_000 == 0) await Task.Yield();
        }
    }

    /// <summary>The same values for MiniExcel: dates as DateTime, the instant in Japan time.</summary>
    public static IEnumerable<Dictionary<string, object>> Dictionaries(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var r = Row(i);
            yield return new Dictionary<string, object>(12)
            {
                [Headings[0]] = r.Receipt,
                [Headings[1]] = r.Received.ToDateTime(TimeOnly.MinValue),
                [Headings[2]] = TimeZoneInfo.ConvertTime(r.At, JapanTime.Zone).DateTime,
                [Headings[3]] = r.Name,
                [Headings[4]] = r.Kana,
                [Headings[5]] = r.Birth.ToDateTime(TimeOnly.MinValue),
                [Headings[6]] = r.Postcode,
                [Headings[7]] = r.Address,
                [Headings[8]] = r.Phone,
                [Headings[9]] = r.Fee,
                [Headings[10]] = r.Copies,
                [Headings[11]] = r.Issued,
            };
        }
    }
}
