using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Applicants;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Applicants;

/// <summary>
/// Residents sign in per form through a real OpenID Connect provider (<see cref="TestIdentityProvider"/>
/// on its own HTTPS port), with a browser that follows the redirects and posts the provider's
/// login page: claims prefill the draft, the same person resumes on another device, locked answers
/// stay, forged answers from the provider are refused, and the applicant cookie opens no staff page.
/// </summary>
public sealed partial class ApplicantSignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Optional = "jumin-signin";
    private const string Required = "jumin-required";

    private static string FormJson(string slug, string mode) => $$"""
    {
      "slug": "{{slug}}",
      "title": { "ja": "住民票の写しの交付申請（テスト）" },
      "signIn": {
        "mode": "{{mode}}",
        "prefill": { "applicantName": "name", "birthDate": "birthdate", "postcode": "postal_code", "address": "address", "email": "email", "phone": "phone_number" },
        "locked": ["applicantName"]
      },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "date", "key": "birthDate", "required": true, "label": { "ja": "生年月日" } },
            { "type": "postcode", "key": "postcode", "required": true, "addressField": "address", "label": { "ja": "郵便番号" } },
            { "type": "address", "key": "address", "required": true, "label": { "ja": "住所" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "phone", "key": "phone", "label": { "ja": "電話番号" } }
          ] },
        { "key": "request", "title": { "ja": "請求内容" },
          "items": [
            { "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, "unit": "通", "label": { "ja": "必要な通数" } }
          ] }
      ]
    }
    """;

    private sealed class Setup : IAsyncDisposable
    {
        public required MadoguchiFactory App { get; init; }
        public required WebApplicationFactory<Program> Host { get; init; }
        public required TestIdentityProvider Idp { get; init; }

        public TestBrowser Browser() => new(Host.Server.CreateHandler(), Idp.TrustingHandler());

        public HttpClient Client() => Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await App.DisposeAsync();
            await Idp.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var idp = await TestIdentityProvider.StartAsync();
        var settings = idp.Settings;
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var app = await MadoguchiFactory.CreateAsync(settings);
        // Correlation and nonce cookies expire by the app's clock, the provider's tokens by real time.
        app.Clock.Set(DateTimeOffset.UtcNow);
        var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.Configure<OpenIdConnectOptions>(ApplicantsModule.OidcScheme, o => o.BackchannelHttpHandler = idp.TrustingHandler())));
        await app.SaveAsync(Builders.Procedure("KT-A0001"), Builders.Procedure("KT-A0002"));
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(FormJson(Optional, "optional"), "KT-A0001", "test", Ct);
            await forms.PublishAsync(Optional, "test", Ct);
            await forms.ImportAsync(FormJson(Required, "required"), "KT-A0002", "test", Ct);
            await forms.PublishAsync(Required, "test", Ct);
        }
        return new Setup { App = app, Host = host, Idp = idp };
    }

    /// <summary>Start page → "サインインして始める" → the provider's login page → back to the form. Returns the last page.</summary>
    private static async Task<string> SignInAsync(Setup s, TestBrowser browser, string slug, TestIdentityProvider.Person? person = null)
    {
        person ??= TestIdentityProvider.Hanako;
        var start = await (await browser.GetAsync($"/forms/{slug}")).Content.ReadAsStringAsync(Ct);
        var login = await browser.SubmitAsync(start, $"/forms/{slug}/applicant/signin", []);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.StartsWith(s.Idp.Authority + "connect/authorize", browser.Address.ToString());
        var loginPage = await login.Content.ReadAsStringAsync(Ct);
        var back = await browser.SubmitAsync(loginPage, "/connect/authorize", new() { ["username"] = person.Username, ["password"] = person.Password });
        Assert.Equal("localhost", browser.Address.Host);
        return await back.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>Posts the form page the browser is on (its antiforgery token included) with the given answers.</summary>
    private static async Task<HttpResponseMessage> PostPageAsync(TestBrowser browser, string url, Dictionary<string, string> fields)
    {
        var page = await (await browser.GetAsync(url)).Content.ReadAsStringAsync(Ct);
        var token = MadoguchiFactory.AntiforgeryToken().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {url}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await browser.NavigateAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri("https://localhost/"), url)) { Content = new FormUrlEncodedContent(fields) });
    }

    private static Dictionary<string, string> ApplicantPage(string family = "山田", string address = "東京都江東区東陽四丁目11番28号") => new()
    {
        ["applicantName.family"] = family,
        ["applicantName.given"] = "花子",
        ["applicantName.familyKana"] = "ヤマダ",
        ["applicantName.givenKana"] = "ハナコ",
        ["birthDate"] = "1990-04-01",
        ["postcode"] = "135-8383",
        ["address"] = address,
        ["email"] = "hanako@example.jp",
        ["phone"] = "03-3647-9111",
        ["action"] = "next",
    };

    private static string? InputValue(string page, string id) =>
        Regex.Match(page, $"<input[^>]*id=\"{Regex.Escape(id)}\"[^>]*>") is { Success: true } m && Regex.Match(m.Value, "value=\"([^\"]*)\"") is { Success: true } v
            ? WebUtility.HtmlDecode(v.Groups[1].Value)
            : null;

    private static bool IsReadOnly(string page, string id) =>
        Regex.Match(page, $"<input[^>]*id=\"{Regex.Escape(id)}\"[^>]*>").Value.Contains("readonly", StringComparison.Ordinal);

    [Fact]
    public async Task Signing_in_through_the_provider_prefills_name_birthdate_postcode_and_address_and_keeps_only_a_subject_hash()
    {
        await using var s = await StartAsync();
        using var browser = s.Browser();

        var page = await SignInAsync(s, browser, Optional);

        Assert.Equal($"/forms/{Optional}/applicant", browser.Address.AbsolutePath);
        Assert.Equal("山田", InputValue(page, "f-applicantName-family"));
        Assert.Equal("花子", InputValue(page, "f-applicantName-given"));
        Assert.Equal("ヤマダ", InputValue(page, "f-applicantName-familyKana"));
        Assert.Equal("ハナコ", InputValue(page, "f-applicantName-givenKana"));
        Assert.Equal("1990-04-01", InputValue(page, "f-birthDate"));
        Assert.Equal("135-8383", InputValue(page, "f-postcode"));
        Assert.Equal("東京都江東区東陽四丁目11番28号", InputValue(page, "f-address"));
        Assert.Equal("hanako@example.jp", InputValue(page, "f-email"));
        Assert.Equal("03-3647-9111", InputValue(page, "f-phone"));
        // Marked as the provider's; the name is locked by the form, the address is not.
        Assert.Contains("本人確認サービスの情報から入力しました", page);
        Assert.Contains("この申請では変更できません", page);
        Assert.True(IsReadOnly(page, "f-applicantName-family"));
        Assert.False(IsReadOnly(page, "f-address"));
        Assert.Contains("本人確認サービスでサインインしています", page);

        await using var scope = s.App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var draft = await db.Drafts.SingleAsync(Ct);
        Assert.Equal(ApplicantSignIn.Subject(s.Idp.Authority, TestIdentityProvider.Hanako.Subject), draft.ApplicantSubject);
        Assert.DoesNotContain(TestIdentityProvider.Hanako.Subject, draft.ApplicantSubject);
        Assert.NotNull(draft.PrefilledJson);
        Assert.DoesNotContain("山田", draft.PrefilledJson);
        // The cookie that stays is sent to resident pages only.
        Assert.NotNull(browser.Cookie(ApplicantsModule.CookieName));
        Assert.Null(browser.Cookie(ApplicantsModule.CookieName, "https://localhost/staff/"));
    }

    [Fact]
    public async Task A_locked_answer_keeps_the_providers_value_and_a_changed_one_loses_its_mark()
    {
        await using var s = await StartAsync();
        using var browser = s.Browser();
        await SignInAsync(s, browser, Optional);

        // A hand-made post tries to change the locked name; the address is the resident's to change.
        var next = await PostPageAsync(browser, $"/forms/{Optional}/applicant", ApplicantPage(family: "鈴木", address: "東京都江東区大島一丁目1番1号"));
        Assert.Equal($"/forms/{Optional}/request", browser.Address.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);

        var page = await (await browser.GetAsync($"/forms/{Optional}/applicant")).Content.ReadAsStringAsync(Ct);
        Assert.Equal("山田", InputValue(page, "f-applicantName-family"));
        Assert.Equal("東京都江東区大島一丁目1番1号", InputValue(page, "f-address"));
        Assert.DoesNotContain("f-address-prefill", page);
        Assert.Contains("f-postcode-prefill", page);
    }

    [Fact]
    public async Task The_same_person_resumes_on_another_device_without_a_code_and_the_draft_cookie_alone_opens_nothing()
    {
        await using var s = await StartAsync();
        using var phone = s.Browser();
        await SignInAsync(s, phone, Optional);
        await PostPageAsync(phone, $"/forms/{Optional}/applicant", ApplicantPage(address: "東京都江東区豊洲二丁目2番18号"));
        await PostPageAsync(phone, $"/forms/{Optional}/request", new() { ["copies"] = "3", ["action"] = "later" });
        var draftCookie = phone.Cookie(FormFilling.CookieName(Optional));
        Assert.NotNull(draftCookie);

        using var computer = s.Browser();
        var page = await SignInAsync(s, computer, Optional);

        // Where the resident left off, with what they typed, and still one draft.
        Assert.Equal($"/forms/{Optional}/request", computer.Address.AbsolutePath);
        Assert.Equal("3", InputValue(page, "f-copies"));
        var first = await (await computer.GetAsync($"/forms/{Optional}/applicant")).Content.ReadAsStringAsync(Ct);
        Assert.Equal("東京都江東区豊洲二丁目2番18号", InputValue(first, "f-address"));
        await using (var scope = s.App.Scope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
        }
        // The phone's copy of the draft no longer opens: it must sign in again.
        await phone.GetAsync($"/forms/{Optional}/applicant");
        Assert.Equal($"/forms/{Optional}", phone.Address.AbsolutePath);
        // Someone holding only the draft cookie (a shared device, no sign-in) is sent to sign in.
        using var stranger = s.Browser();
        stranger.Cookies.Add(new Cookie(FormFilling.CookieName(Optional), computer.Cookie(FormFilling.CookieName(Optional)), "/forms", "localhost") { Secure = true });
        var refused = await (await stranger.GetAsync($"/forms/{Optional}/applicant")).Content.ReadAsStringAsync(Ct);
        Assert.Equal($"/forms/{Optional}", stranger.Address.AbsolutePath);
        Assert.Equal("?signin=again", stranger.Address.Query);
        Assert.Contains("もう一度サインインしてください", refused);
        Assert.DoesNotContain("豊洲", refused);
    }

    [Fact]
    public async Task A_form_that_requires_sign_in_refuses_an_anonymous_start_and_a_signed_in_submission_records_the_subject()
    {
        await using var s = await StartAsync();
        var anonymous = s.Client();

        var startPage = await anonymous.GetStringAsync($"/forms/{Required}", Ct);
        Assert.Contains("本人確認のためサインインが必要です", startPage);
        Assert.DoesNotContain("data-testid=\"start\"", startPage);
        var refused = await MadoguchiFactory.PostFormAsync(anonymous, $"/forms/{Required}", []);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("サインインしないと始められません", await refused.Content.ReadAsStringAsync(Ct));
        await using (var scope = s.App.Scope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
        }

        using var browser = s.Browser();
        await SignInAsync(s, browser, Required);
        await PostPageAsync(browser, $"/forms/{Required}/applicant", ApplicantPage());
        await PostPageAsync(browser, $"/forms/{Required}/request", new() { ["copies"] = "2", ["action"] = "next" });
        Assert.Equal($"/forms/{Required}/check", browser.Address.AbsolutePath);
        var receipt = await PostPageAsync(browser, $"/forms/{Required}/check", []);
        Assert.Contains("data-testid=\"receipt\"", await receipt.Content.ReadAsStringAsync(Ct));

        await using var check = s.App.Scope();
        var submission = await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.SingleAsync(Ct);
        Assert.Equal(ApplicantSignIn.Subject(s.Idp.Authority, TestIdentityProvider.Hanako.Subject), submission.ApplicantSubject);
        Assert.Equal("山田", JsonNode.Parse(submission.AnswersJson)!["applicantName"]!["family"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_id_token_with_a_forged_nonce_is_refused_and_no_draft_is_started()
    {
        await using var s = await StartAsync();
        using var browser = s.Browser();
        // An attacker's edit of the way to the provider: the id_token then carries another nonce.
        browser.Rewrite = uri => uri.Host != "localhost" && uri.Query.Contains("nonce=", StringComparison.Ordinal)
            ? new Uri(NonceParameter().Replace(uri.ToString(), "nonce=638000000000000000.Zm9yZ2Vk"))
            : uri;

        var page = await SignInAsync(s, browser, Optional);

        AssertRefused(s, browser, page);
        await AssertNoDraftAsync(s);
    }

    [Fact]
    public async Task Tokens_from_an_issuer_other_than_the_configured_one_are_refused()
    {
        await using var s = await StartAsync(new() { ["Madoguchi:ApplicantOidc:Issuer"] = "https://id.city.example.jp/" });
        using var browser = s.Browser();

        var page = await SignInAsync(s, browser, Optional);

        AssertRefused(s, browser, page);
        await AssertNoDraftAsync(s);
    }

    private static void AssertRefused(Setup s, TestBrowser browser, string page)
    {
        Assert.Equal($"/forms/{Optional}", browser.Address.AbsolutePath);
        Assert.Equal("?signin=failed", browser.Address.Query);
        Assert.Contains("サインインを確認できませんでした", page);
        Assert.Null(browser.Cookie(ApplicantsModule.CookieName));
        Assert.Null(browser.Cookie(FormFilling.CookieName(Optional)));
        Assert.NotNull(s);
    }

    private static async Task AssertNoDraftAsync(Setup s)
    {
        await using var scope = s.App.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
    }

    [Fact]
    public async Task The_applicant_cookie_opens_no_staff_page_or_staff_api()
    {
        await using var s = await StartAsync();
        using var browser = s.Browser();
        await SignInAsync(s, browser, Optional);
        var cookie = browser.Cookie(ApplicantsModule.CookieName);
        Assert.NotNull(cookie);

        await browser.GetAsync("/staff");
        Assert.Equal("/staff/signin", browser.Address.AbsolutePath);
        // Even sent by hand to staff paths (the browser would not: its path is /forms).
        var client = s.Client();
        foreach (var url in new[] { "/staff", "/staff/inventory", "/staff/forms", $"/staff/forms/{Optional}/submissions" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Cookie", $"{ApplicantsModule.CookieName}={cookie}");
            var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/staff/signin", new Uri(new Uri("https://localhost/"), response.Headers.Location!).AbsolutePath);
        }
        var api = new HttpRequestMessage(HttpMethod.Get, "/api/v1/procedures");
        api.Headers.Add("Cookie", $"{ApplicantsModule.CookieName}={cookie}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(api, Ct)).StatusCode);
    }

    [Fact]
    public async Task Signing_out_forgets_the_resident_and_the_draft_on_this_device()
    {
        await using var s = await StartAsync();
        using var browser = s.Browser();
        var page = await SignInAsync(s, browser, Optional);

        var after = await browser.SubmitAsync(page, $"/forms/{Optional}/applicant/signout", []);

        Assert.Equal($"/forms/{Optional}", browser.Address.AbsolutePath);
        Assert.Contains("サインアウトしました", await after.Content.ReadAsStringAsync(Ct));
        Assert.Null(browser.Cookie(ApplicantsModule.CookieName));
        await browser.GetAsync($"/forms/{Optional}/applicant");
        Assert.Equal($"/forms/{Optional}", browser.Address.AbsolutePath);
        // Signing in again brings the draft back.
        await SignInAsync(s, browser, Optional);
        Assert.Equal($"/forms/{Optional}/applicant", browser.Address.AbsolutePath);
    }

    [GeneratedRegex("nonce=[^&]+")]
    private static partial Regex NonceParameter();
}
