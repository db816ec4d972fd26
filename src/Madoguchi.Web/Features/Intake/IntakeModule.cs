namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// Limits for rush events (opening time, deadline, first-come capacity, lottery, one application per
/// person across channels). The rules live in the form definition ("intake"); the submission path
/// calls <see cref="IntakeGate"/>, the writer <see cref="IntakeCounters"/>.
/// </summary>
public static class IntakeModule
{
    public static WebApplicationBuilder AddIntake(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<IntakeLottery>();
        return builder;
    }
}
