namespace Madoguchi.Web.Shared.Localization;

/// <summary>
/// Texts of the shared layout and residents' pages. やさしい日本語 follows the Immigration Services
/// Agency's guideline: short sentences, ruby on kanji. Null means "same as Japanese".
/// </summary>
public static class Texts
{
    public sealed record Text(string Ja, string En, string? Easy = null);

    public static readonly Dictionary<string, Text> All = new()
    {
        ["site.name"] = new("窓口", "Madoguchi", "<ruby>窓口<rt>まどぐち</rt></ruby>"),
        ["site.tagline"] = new("行政手続のオンライン窓口", "Online counter for city procedures", "<ruby>市役所<rt>しやくしょ</rt></ruby>の<ruby>手続<rt>てつづ</rt></ruby>き"),
        ["skip"] = new("本文へ移動", "Skip to main content", "<ruby>本文<rt>ほんぶん</rt></ruby>へ"),
        ["nav.home"] = new("ホーム", "Home", "はじめ"),
        ["nav.kpi"] = new("オンライン化の進捗", "Online progress", "オンラインの<ruby>進<rt>すす</rt></ruby>み<ruby>具合<rt>ぐあい</rt></ruby>"),
        ["nav.staff"] = new("職員ページ", "Staff", "<ruby>職員<rt>しょくいん</rt></ruby>"),
        ["lang.label"] = new("言語", "Language", "ことば"),
        ["home.title"] = new("オンラインでできる手続", "Procedures you can do online", "インターネットで できる <ruby>手続<rt>てつづ</rt></ruby>き"),
        ["home.lead"] = new("窓口に行かなくても、スマートフォンやパソコンから手続ができます。", "You can complete these procedures from your phone or computer without visiting city hall.", "<ruby>市役所<rt>しやくしょ</rt></ruby>に <ruby>行<rt>い</rt></ruby>かなくても いいです。スマートフォンで できます。"),
        ["home.online.count"] = new("オンラインで手続できる件数", "Procedures available online", "インターネットで できる <ruby>手続<rt>てつづ</rt></ruby>きの <ruby>数<rt>かず</rt></ruby>"),
        ["home.byevent"] = new("くらしのできごとから探す", "Find by life event", "くらしの できごとから さがす"),
        ["home.offices"] = new("庁舎・出張所", "Offices", "<ruby>市役所<rt>しやくしょ</rt></ruby>の ばしょ"),
        ["home.offices.none"] = new("庁舎の情報はまだ登録されていません。", "No offices have been registered yet.", "まだ ありません。"),
        ["home.none"] = new("オンラインでできる手続はまだ登録されていません。", "No online procedures have been registered yet.", "まだ ありません。"),
        ["home.procedures"] = new("件", "procedures", "<ruby>件<rt>けん</rt></ruby>"),
        ["footer.opendata"] = new("このサイトの数値はオープンデータとして公開しています。", "The figures on this site are published as open data.", "この ページの <ruby>数字<rt>すうじ</rt></ruby>は だれでも つかえます。"),
        ["error.title"] = new("エラーが発生しました", "Something went wrong", "うまく いきませんでした"),
        ["error.404"] = new("ページが見つかりません", "Page not found", "ページが ありません"),
        ["error.403"] = new("このページを表示する権限がありません", "You do not have permission to view this page", "この ページは <ruby>見<rt>み</rt></ruby>られません"),
        ["error.back"] = new("ホームへ戻る", "Back to home", "はじめに もどる"),
    };
}
