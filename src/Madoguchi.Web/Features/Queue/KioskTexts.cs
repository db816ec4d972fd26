using System.Net;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Queue;

/// <summary>The kiosk's and the slip's words in Japanese, English and やさしい日本語 (kept here: only the queue uses them).</summary>
public static class KioskTexts
{
    private static readonly Dictionary<string, Texts.Text> All = new()
    {
        ["title"] = new("整理券の発行", "Take a number", "<ruby>番号<rt>ばんごう</rt></ruby>の <ruby>紙<rt>かみ</rt></ruby>を とる"),
        ["choose"] = new("ご用件を選んでください。", "Please choose what you came for.", "<ruby>用事<rt>ようじ</rt></ruby>を えらんで ください。"),
        ["waiting"] = new("待っている人", "Waiting", "<ruby>待<rt>ま</rt></ruby>っている <ruby>人<rt>ひと</rt></ruby>"),
        ["people"] = new("人", "", "<ruby>人<rt>にん</rt></ruby>"),
        ["slip.title"] = new("整理券", "Your ticket", "あなたの <ruby>番号<rt>ばんごう</rt></ruby>"),
        ["slip.number"] = new("番号", "Number", "<ruby>番号<rt>ばんごう</rt></ruby>"),
        ["slip.service"] = new("ご用件", "For", "<ruby>用事<rt>ようじ</rt></ruby>"),
        ["slip.time"] = new("発行時刻", "Issued at", "<ruby>時間<rt>じかん</rt></ruby>"),
        ["slip.ahead"] = new("前に待っている人", "People ahead of you", "<ruby>前<rt>まえ</rt></ruby>に <ruby>待<rt>ま</rt></ruby>っている <ruby>人<rt>ひと</rt></ruby>"),
        ["slip.wait"] = new("待ち時間の目安", "Estimated wait", "まつ <ruby>時間<rt>じかん</rt></ruby>"),
        ["slip.wait.default"] = new("（実績がないため1人10分で計算した仮の目安）", "(provisional: no service times measured yet)", "（まだ <ruby>記録<rt>きろく</rt></ruby>が ないので だいたいの <ruby>時間<rt>じかん</rt></ruby>）"),
        ["slip.qr"] = new("呼び出し状況はこのQRコードからスマートフォンで確認できます。", "Scan this QR code to follow your number on your phone.", "この QRコードで、スマートフォンから <ruby>順番<rt>じゅんばん</rt></ruby>が わかります。"),
        ["slip.qr.alt"] = new("呼び出し状況のページのQRコード", "QR code of your ticket's status page", "QRコード"),
        ["slip.print"] = new("印刷する", "Print", "<ruby>紙<rt>かみ</rt></ruby>に <ruby>印刷<rt>いんさつ</rt></ruby>する"),
        ["slip.noprint"] = new("印刷されないときは、この画面の番号を控えるか、QRコードを読み取ってください。", "If nothing is printed, note this number or scan the QR code.", "<ruby>紙<rt>かみ</rt></ruby>が <ruby>出<rt>で</rt></ruby>ないときは、この <ruby>番号<rt>ばんごう</rt></ruby>を おぼえて ください。"),
        ["slip.back"] = new("最初の画面に戻る", "Back to the start", "はじめに もどる"),
        ["slip.call"] = new("番号が呼ばれたら、案内された窓口へお越しください。", "When your number is called, go to the counter shown.", "<ruby>番号<rt>ばんごう</rt></ruby>が よばれたら、その <ruby>窓口<rt>まどぐち</rt></ruby>へ <ruby>行<rt>い</rt></ruby>って ください。"),
        ["refused"] = new("整理券を発行できません", "No ticket can be issued", "<ruby>番号<rt>ばんごう</rt></ruby>の <ruby>紙<rt>かみ</rt></ruby>を <ruby>出<rt>だ</rt></ruby>せません"),
        ["none"] = new("この庁舎では整理券で受け付ける用件がまだ登録されていません。", "No services take tickets at this office yet.", "まだ ありません。"),
    };

    public static IHtmlContent Get(Language language, string key)
    {
        var t = All[key];
        return language switch
        {
            Language.En => new HtmlString(WebUtility.HtmlEncode(t.En)),
            Language.Easy => new HtmlString(t.Easy ?? WebUtility.HtmlEncode(t.Ja)),
            _ => new HtmlString(WebUtility.HtmlEncode(t.Ja)),
        };
    }

    public static string Plain(Language language, string key) => language == Language.En ? All[key].En : All[key].Ja;

    /// <summary>A service's name in the kiosk's language; やさしい日本語 may use ruby, and no other markup.</summary>
    public static IHtmlContent ServiceName(Language language, QueueService s) => language switch
    {
        Language.En when s.NameEn.Length > 0 => new HtmlString(WebUtility.HtmlEncode(s.NameEn)),
        Language.Easy when s.NameEasy.Length > 0 => new HtmlString(RubyOnly(s.NameEasy)),
        _ => new HtmlString(WebUtility.HtmlEncode(s.Name)),
    };

    /// <summary>Encodes everything, then lets the four ruby tags through: the names come from the database.</summary>
    public static string RubyOnly(string text)
    {
        var encoded = WebUtility.HtmlEncode(text);
        foreach (var tag in new[] { "ruby", "/ruby", "rt", "/rt" })
        {
            encoded = encoded.Replace($"&lt;{tag}&gt;", $"<{tag}>", StringComparison.Ordinal);
        }
        return encoded;
    }
}
