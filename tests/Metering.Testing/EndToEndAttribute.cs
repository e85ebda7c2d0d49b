namespace Metering.Testing;

/// <summary>Tests that run the services as separate processes, as <c>make run</c> does.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class EndToEndAttribute() : CategoryAttribute("EndToEnd");
