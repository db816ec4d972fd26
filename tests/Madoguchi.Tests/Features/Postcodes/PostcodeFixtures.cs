using System.Text;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Postcodes;

/// <summary>
/// Small synthetic files in Japan Post's two layouts (15 columns), written by the tests themselves:
/// KEN_ALL.CSV in Shift_JIS with half-width kana and a long 町域 split over rows, and utf_all.csv in
/// UTF-8 with full-width kana, one row per record. The codes and places are made up.
/// </summary>
internal static class PostcodeFixtures
{
    static PostcodeFixtures() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding ShiftJis => Encoding.GetEncoding(932);

    /// <summary>One KEN_ALL row, quoted as Japan Post quotes it (団体コード and flags bare).</summary>
    public static string Row(string cityCode, string code, string prefKana, string cityKana, string townKana, string pref, string city, string town)
        => $"{cityCode},\"{code[..3]}  \",\"{code}\",\"{prefKana}\",\"{cityKana}\",\"{townKana}\",\"{pref}\",\"{city}\",\"{town}\",0,0,0,0,0,0";

    /// <summary>
    /// Seven rows, five records, four postcodes: a plain town, 以下に掲載がない場合, a 町域 split over
    /// two rows whose kana is repeated whole (as Japan Post does when it fits), one split in both
    /// columns, a building floor, and a …一円 row.
    /// </summary>
    public static readonly string[] KenAllRows =
    [
        Row("13108", "1350000", "ﾄｳｷｮｳﾄ", "ｺｳﾄｳｸ", "ｲｶﾆｹｲｻｲｶﾞﾅｲﾊﾞｱｲ", "東京都", "江東区", "以下に掲載がない場合"),
        Row("13108", "1350016", "ﾄｳｷｮｳﾄ", "ｺｳﾄｳｸ", "ﾄｳﾖｳ", "東京都", "江東区", "東陽"),
        Row("13108", "1369999", "ﾄｳｷｮｳﾄ", "ｺｳﾄｳｸ", "ﾐﾅﾐｽﾅﾏﾁ(1-3ﾁｮｳﾒ､5ﾊﾞﾝﾁ-10ﾊﾞﾝﾁ)", "東京都", "江東区", "南砂町（１～３丁目、５番地～"),
        Row("13108", "1369999", "ﾄｳｷｮｳﾄ", "ｺｳﾄｳｸ", "ﾐﾅﾐｽﾅﾏﾁ(1-3ﾁｮｳﾒ､5ﾊﾞﾝﾁ-10ﾊﾞﾝﾁ)", "東京都", "江東区", "１０番地）"),
        Row("13101", "1006999", "ﾄｳｷｮｳﾄ", "ﾁﾖﾀﾞｸ", "ﾏﾄﾞｸﾞﾁﾋﾞﾙ(ﾁｶｲ･", "東京都", "千代田区", "窓口ビル（地階・"),
        Row("13101", "1006999", "ﾄｳｷｮｳﾄ", "ﾁﾖﾀﾞｸ", "ｶｲｿｳﾌﾒｲ)", "東京都", "千代田区", "階層不明）"),
        Row("13308", "1980299", "ﾄｳｷｮｳﾄ", "ﾆｼﾀﾏｸﾞﾝｵｸﾀﾏﾏﾁ", "ｵｸﾀﾏﾏﾁｲﾁｴﾝ", "東京都", "西多摩郡奥多摩町", "奥多摩町一円"),
    ];

    public static string WriteKenAll(TestDatabase db, string name, params string[] rows)
    {
        var path = Path.Combine(db.Folder, name);
        File.WriteAllText(path, string.Join("\r\n", rows) + "\r\n", ShiftJis);
        return path;
    }

    /// <summary>utf_all.csv: the same columns in UTF-8 (no BOM), full-width kana, nothing split.</summary>
    public static string WriteUtf(TestDatabase db, string name, params string[] rows)
    {
        var path = Path.Combine(db.Folder, name);
        File.WriteAllText(path, string.Join("\n", rows) + "\n", new UTF8Encoding(false));
        return path;
    }

    public static readonly string[] UtfRows =
    [
        Row("13108", "1350016", "トウキョウト", "コウトウク", "トウヨウ", "東京都", "江東区", "東陽"),
        Row("13108", "1350017", "トウキョウト", "コウトウク", "ミナミスナマチ（１－３チョウメ）", "東京都", "江東区", "南砂町（１～３丁目）"),
        Row("13108", "1350017", "トウキョウト", "コウトウク", "キタスナマチ", "東京都", "江東区", "北砂町"),
        Row("07203", "9638888", "フクシマケン", "コオリヤマシ", "テストマチ", "福島県", "郡山市", "葛\U000E0100町"),
    ];
}
