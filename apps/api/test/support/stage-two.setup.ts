process.env['SLUICE_TEST_LLM_MODE'] = 'gateway';
