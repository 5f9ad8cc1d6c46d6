const { benchPacing } = await import(`${process.cwd()}/bench/campaigns.ts`);
await benchPacing({ seconds: 60, intensity: 50, cap: 200, suffix: '_50', probeApi: true });
